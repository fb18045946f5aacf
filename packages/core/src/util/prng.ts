/**
 * The one source of randomness: a seeded xoshiro128** generator (Blackman and Vigna), small, fast, with a state
 * that can be read back (determinism checks compare it, as FoundationDB's simulator compares its final random state).
 */
export class Prng {
  // The four 32-bit state words as plain fields, not a Uint32Array: a simulator state holds one, and exploration
  // copies a state per transition (a typed array costs an ArrayBuffer besides, about 200 bytes a copy).
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 spreads any integer seed over the four state words.
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** A 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c = (this.c ^ this.a) >>> 0;
    this.d = (this.d ^ this.b) >>> 0;
    this.b = (this.b ^ this.c) >>> 0;
    this.a = (this.a ^ this.d) >>> 0;
    this.c = (this.c ^ t) >>> 0;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** The state as hex, to compare two runs. */
  state(): string {
    return [this.a, this.b, this.c, this.d].map((w) => w.toString(16).padStart(8, '0')).join('');
  }

  clone(): Prng {
    // The copy a simulator state must take before a rule first draws from a generator its snapshots share
    // (SimState.prng). Not through the constructor: seeding is wasted work.
    const p = Object.create(Prng.prototype) as Prng;
    p.a = this.a;
    p.b = this.b;
    p.c = this.c;
    p.d = this.d;
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
