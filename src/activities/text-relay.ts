/** Hands a model's streamed text on as it arrives, in pieces every store can keep. */
import { repairText } from '../shared/text';

/**
 * Relays text deltas: a high surrogate that ends one delta waits for the low one that begins the next
 * (an endpoint may split a character between deltas), and what cannot be stored is repaired.
 */
export class TextRelay {
  private heldBack = '';

  constructor(private readonly onText: (delta: string) => void) {}

  /** Hands on one delta (less a high surrogate it ends with, held for the next). */
  push(text: string): void {
    let delta = this.heldBack + text;
    this.heldBack = '';
    const last = delta.charCodeAt(delta.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.heldBack = delta.slice(-1);
      delta = delta.slice(0, -1);
    }
    if (delta) this.onText(repairText(delta));
  }

  /** Hands on what was held back, at the end of the stream. */
  flush(): void {
    if (this.heldBack) this.onText(repairText(this.heldBack));
    this.heldBack = '';
  }
}
