/**
 * A fast 64-bit non-cryptographic hash of a string (two 32-bit lanes, cyrb53-style mixing), as 16 hex digits. For
 * de-duplicating explored states, where SHA-256's strength buys nothing and costs most of the time.
 */
export function hash64(text: string): string {
  hash64Words(text, words);
  return words[1]!.toString(16).padStart(8, '0') + words[0]!.toString(16).padStart(8, '0');
}
const words = new Uint32Array(2);

/** hash64 as two 32-bit words (low, high), written into `out` (no string made): for compact tables of hashes. */
export function hash64Words(text: string, out: Uint32Array): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out[0] = h1 >>> 0;
  out[1] = h2 >>> 0;
}

/**
 * A map from 64-bit hashes to non-negative integers, in typed arrays (open addressing, linear probing, doubled at half
 * full): 24 bytes a state at worst, where a Map of hex strings costs about 100. Exploration's visited set.
 */
export class HashTable64 {
  private words: Uint32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1 << 12) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.words = new Uint32Array(n * 2);
    this.values = new Int32Array(n).fill(-1);
    this.mask = n - 1;
  }

  get size(): number {
    return this.count;
  }

  private slot(h1: number, h2: number): number {
    let i = (h1 ^ Math.imul(h2, 0x9e3779b1)) & this.mask;
    while (this.values[i] !== -1 && (this.words[2 * i] !== h1 || this.words[2 * i + 1] !== h2)) i = (i + 1) & this.mask;
    return i;
  }

  /** The value stored for the hash `h` (two words), or -1. */
  get(h: Uint32Array): number {
    return this.values[this.slot(h[0]!, h[1]!)]!;
  }

  /** Stores `value` (>= 0) for the hash `h`. */
  set(h: Uint32Array, value: number): void {
    const i = this.slot(h[0]!, h[1]!);
    if (this.values[i] === -1) this.count++;
    this.words[2 * i] = h[0]!;
    this.words[2 * i + 1] = h[1]!;
    this.values[i] = value;
    if (this.count * 2 > this.mask + 1) this.grow();
  }

  private grow(): void {
    const { words, values } = this;
    const n = (this.mask + 1) * 2;
    this.words = new Uint32Array(n * 2);
    this.values = new Int32Array(n).fill(-1);
    this.mask = n - 1;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === -1) continue;
      const j = this.slot(words[2 * i]!, words[2 * i + 1]!);
      this.words[2 * j] = words[2 * i]!;
      this.words[2 * j + 1] = words[2 * i + 1]!;
      this.values[j] = values[i]!;
    }
  }
}
