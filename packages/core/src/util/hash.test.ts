import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createSha256, hmacSha256Hex, sha256Hex, usePureJsSha256 } from './hash.js';
import { propertyRuns } from '../../../../scripts/propertySeed.js';

// The digest (event-log.md, "--json summary": `digest`) and conflict UNIDs (R5) are SHA-256 values that must be the
// same on any machine. Under Node they come from node:crypto, elsewhere from @noble/hashes: both must give the same
// bytes, for any text (lone surrogates included: both encode them as U+FFFD).
describe('SHA-256: native and pure-JS agree', () => {
  afterEach(() => usePureJsSha256(false));

  // Pure JS, then node:crypto (the one-shot hash where it is used, else Hash objects): both native ways must agree too.
  const both = (f: () => string) => {
    usePureJsSha256(true);
    const pure = f();
    usePureJsSha256(false, false);
    const objects = f();
    usePureJsSha256(false);
    const native = f();
    expect(objects).toBe(native);
    return [pure, native];
  };

  it('known answer (FIPS 180-2 "abc")', () => {
    const [pure, native] = both(() => sha256Hex('abc'));
    expect(pure).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(native).toBe(pure);
  });

  it('one-shot and incremental, any text and any split', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const [p1, n1] = both(() => sha256Hex(a + b));
        expect(n1).toBe(p1);
        const [p2, n2] = both(() => {
          const h = createSha256();
          h.update(a);
          h.update(b);
          return h.hex();
        });
        expect(n2).toBe(p2);
        // Split on a whole code unit boundary: the same bytes as the whole string unless a surrogate pair is cut.
        if (!/[\ud800-\udbff]$/.test(a)) expect(p2).toBe(p1);
      }),
    );
  });
});

// R15: the X-SSOTag is hex(HMAC-SHA256(key, C)); a tag one server writes must verify on another machine.
describe('HMAC-SHA256: native and pure-JS agree', () => {
  afterEach(() => usePureJsSha256(false));

  // Three ways under Node: pure JS, node:crypto Hash objects, node:crypto's one-shot hash (keys of up to 64 ASCII
  // characters).
  const ways: readonly (readonly [pure: boolean, oneShot: boolean])[] = [[true, false], [false, false], [false, true]];
  const allWays = (key: string, msg: string): string[] =>
    ways.map(([pure, withOneShot]) => {
      usePureJsSha256(pure, withOneShot);
      return hmacSha256Hex(key, msg);
    });

  it('RFC 4231 test case 2 ("Jefe"); a key longer than a block (hashed first)', () => {
    expect(allWays('Jefe', 'what do ya want for nothing?')).toEqual(Array(3).fill('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'));
    const long = 'k'.repeat(131);
    const [pure, ...others] = allWays(long, 'Test Using Larger Than Block-Size Key - Hash Key First');
    expect(others).toEqual([pure, pure]);
  });

  it('any key and message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), fc.string({ unit: 'binary' }), (key, msg) => {
        const [pure, ...others] = allWays(key, msg);
        expect(others).toEqual([pure, pure]);
      }),
    );
  });

  it('ASCII keys of every length around the block (the one-shot path up to 64), any message', () => {
    const ascii = fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.string({ unit: ascii, maxLength: 70 }), fc.string({ unit: 'binary' }), (key, msg) => {
        const [pure, ...others] = allWays(key, msg);
        expect(others).toEqual([pure, pure]);
      }),
      { numRuns: propertyRuns(500) },
    );
    for (let n = 0; n <= 66; n++) {
      const [pure, ...others] = allWays('K'.repeat(n), `message ${n}`);
      expect(others, `key of ${n}`).toEqual([pure, pure]);
    }
  });
});
