/**
 * The one source of randomness: a seeded xoshiro128** generator (Blackman and Vigna), small, fast, with a state
 * that can be read back (determinism checks compare it, as FoundationDB's simulator compares its final random state).
 */
export class Prng {
  private s: Uint32Array;

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
    this.s = new Uint32Array([next(), next(), next(), next()]);
  }

  /** A 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
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
    return Array.from(this.s, (w) => w.toString(16).padStart(8, '0')).join('');
  }

  clone(): Prng {
    // Not through the constructor: seeding is wasted work, and exploration clones a state per transition.
    const p = Object.create(Prng.prototype) as Prng;
    p.s = this.s.slice();
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
