/**
 * A map that keeps its newest entries within a count and a byte budget (JSON, UTF-8), evicting the
 * oldest first. Each entry's size is measured once, when it is set, so bounding costs nothing per
 * operation beyond the entry itself. Workflow-safe.
 */
import { utf8Length } from '../shared/schemas';

/** Keeps at most `maxEntries` entries and `maxBytes` bytes of JSON; setting a key again makes it the newest. */
export class BoundedMap<Key, Value> {
  private readonly entries = new Map<Key, { value: Value; bytes: number }>();
  private totalBytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  /** Sets a value as the newest entry, then evicts the oldest entries beyond the bounds. */
  set(key: Key, value: Value): void {
    this.delete(key);
    const bytes = utf8Length(JSON.stringify(value) ?? 'null');
    this.entries.set(key, { value, bytes });
    this.totalBytes += bytes;
    while (this.entries.size > 0 && (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes)) {
      this.delete(this.entries.keys().next().value as Key);
    }
  }

  /** The value under a key, if kept. */
  get(key: Key): Value | undefined {
    return this.entries.get(key)?.value;
  }

  /** Whether a key is kept. */
  has(key: Key): boolean {
    return this.entries.has(key);
  }

  /** Forgets a key. */
  delete(key: Key): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.totalBytes -= entry.bytes;
    this.entries.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  /** The values, oldest first. */
  values(): Value[] {
    return [...this.entries.values()].map((entry) => entry.value);
  }
}
