/**
 * A short, deterministic fingerprint of a JSON value: 64-bit FNV-1a over its canonical JSON (keys sorted,
 * undefined left out), as 16 hex digits. Pure and workflow-safe (no Node crypto): the workflow remembers
 * it with each operation's outcome, and the client makes it part of an update's Temporal id.
 */

/** JSON with object keys sorted and undefined values left out, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((entry) => (entry === undefined ? 'null' : canonicalJson(entry))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

/** 64-bit FNV-1a of a string's UTF-16 code units, as 16 hex digits (two 32-bit halves, no BigInt). */
export function fnv1a64(text: string): string {
  // The 64-bit offset basis 0xcbf29ce484222325 and prime 0x100000001b3, split into 16-bit limbs.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let index = 0; index < text.length; index++) {
    h0 ^= text.charCodeAt(index);
    // (h * 0x100000001b3) mod 2^64 = h * 0x1b3 + (h << 40)
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3;
    const t2 = h2 * 0x1b3;
    const t3 = h3 * 0x1b3;
    const c1 = t1 + (t0 >>> 16);
    const c2 = t2 + (c1 >>> 16) + (h0 << 8);
    const c3 = t3 + (c2 >>> 16) + (h1 << 8);
    h0 = t0 & 0xffff;
    h1 = c1 & 0xffff;
    h2 = c2 & 0xffff;
    h3 = c3 & 0xffff;
  }
  const hex = (limb: number) => limb.toString(16).padStart(4, '0');
  return `${hex(h3)}${hex(h2)}${hex(h1)}${hex(h0)}`;
}

/** The fingerprint of a JSON value (key order aside). */
export function fingerprintOf(value: unknown): string {
  return fnv1a64(canonicalJson(value));
}
