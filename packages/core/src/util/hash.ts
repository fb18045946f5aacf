import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

// SHA-256 from @noble/hashes (audited, pure JS) so core runs unchanged in any JS runtime and has no static `node:`
// import; under Node the same function comes from node:crypto (native, about 5x faster over a seed-scale state: the
// end-of-run digest was a tenth of the run). Both give the same bytes (tested); the choice changes speed only.
interface NativeHash {
  update(data: string, encoding: 'utf8'): NativeHash;
  update(data: Uint8Array): NativeHash;
  digest(encoding: 'hex'): string;
  digest(): Uint8Array;
  copy(): NativeHash;
}
type CreateHash = (algorithm: 'sha256') => NativeHash;
/** node:crypto's one-shot `hash` (Node 20.12 and later). */
type OneShotHash = {
  (algorithm: 'sha256', data: string | Uint8Array, outputEncoding: 'hex'): string;
  (algorithm: 'sha256', data: string | Uint8Array, outputEncoding: 'buffer'): Uint8Array;
};

function nodeCrypto(): { createHash?: CreateHash; hash?: OneShotHash } | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.('node:crypto') as { createHash?: CreateHash; hash?: OneShotHash } | undefined;
}

let native: CreateHash | undefined;
let oneShot: OneShotHash | undefined;

/** For tests: force the pure-JS implementation (true) or restore the native one where available. */
export function usePureJsSha256(pure: boolean, withOneShot = true): void {
  const m = pure ? undefined : nodeCrypto();
  native = typeof m?.createHash === 'function' ? m.createHash : undefined;
  oneShot = withOneShot && native !== undefined && typeof m?.hash === 'function' ? m.hash : undefined;
}
usePureJsSha256(false);

/**
 * HMAC's two padded key blocks for a key of at most 64 ASCII characters (every SMSDOM key): the inner one as text
 * (ASCII XOR 0x36 stays ASCII, so its UTF-8 bytes are the block), the outer one as bytes followed by room for the
 * inner digest. Null for any other key (the general path hashes it first, RFC 2104).
 */
interface AsciiPads {
  readonly ipad: string;
  readonly outer: Uint8Array;
}
const asciiPads = new Map<string, AsciiPads | null>();

function asciiPadsFor(key: string): AsciiPads | null {
  if (key.length > 64) return null;
  let ipad = '';
  const outer = new Uint8Array(96).fill(0x5c, 0, 64);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return null;
    ipad += String.fromCharCode(c ^ 0x36);
    outer[i] = c ^ 0x5c;
  }
  return { ipad: ipad + '6'.repeat(64 - key.length), outer };
}

const nativePads = new Map<string, { inner: NativeHash; outer: NativeHash }>();

function padsFor(create: CreateHash, key: string): { inner: NativeHash; outer: NativeHash } {
  let k: Uint8Array = utf8ToBytes(key);
  if (k.length > 64) k = create('sha256').update(k).digest();
  const ipad = new Uint8Array(64).fill(0x36);
  const opad = new Uint8Array(64).fill(0x5c);
  for (let i = 0; i < k.length; i++) {
    ipad[i]! ^= k[i]!;
    opad[i]! ^= k[i]!;
  }
  return { inner: create('sha256').update(ipad), outer: create('sha256').update(opad) };
}

// One keyed pure-JS HMAC per key, cloned per message: the key's two padded blocks are hashed once.
const keyed = new Map<string, ReturnType<typeof hmac.create>>();

/** Lower-case hex HMAC-SHA256 of the UTF-8 bytes of `message` under the UTF-8 bytes of `key` (RFC 2104). */
export function hmacSha256Hex(key: string, message: string): string {
  if (oneShot !== undefined) {
    // Two one-shot hashes: a copied Hash object per step (six calls into node:crypto, each making an object) cost 3x,
    // a tenth of the seed's first hour (10,000 tags).
    let pads = asciiPads.get(key);
    if (pads === undefined) {
      pads = asciiPadsFor(key);
      if (asciiPads.size > 64) asciiPads.clear();
      asciiPads.set(key, pads);
    }
    if (pads !== null) {
      pads.outer.set(oneShot('sha256', pads.ipad + message, 'buffer'), 64);
      return oneShot('sha256', pads.outer, 'hex');
    }
  }
  if (native !== undefined) {
    // RFC 2104 over node:crypto hashes whose padded-key blocks are hashed once per key and copied per message
    // (createHmac imports the key at every call, which costs more than the hashing of a short message).
    let pads = nativePads.get(key);
    if (pads === undefined) {
      pads = padsFor(native, key);
      if (nativePads.size > 64) nativePads.clear();
      nativePads.set(key, pads);
    }
    const inner = pads.inner.copy().update(message, 'utf8').digest();
    return pads.outer.copy().update(inner).digest('hex');
  }
  let h = keyed.get(key);
  if (h === undefined) {
    h = hmac.create(sha256, utf8ToBytes(key));
    if (keyed.size > 64) keyed.clear();
    keyed.set(key, h);
  }
  return bytesToHex(h.clone().update(utf8ToBytes(message)).digest());
}

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
export function sha256Hex(text: string): string {
  if (oneShot !== undefined) return oneShot('sha256', text, 'hex');
  if (native !== undefined) return native('sha256').update(text, 'utf8').digest('hex');
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/**
 * An incremental SHA-256 over UTF-8 text, for digests of states too large to hold as one string; `bytes` feeds bytes
 * already encoded (the digest's writer encodes into a reused buffer: see finalState.ts).
 */
export interface IncrementalSha256 {
  update(text: string): void;
  bytes(data: Uint8Array): void;
  hex(): string;
}

export function createSha256(): IncrementalSha256 {
  if (native !== undefined) {
    const h = native('sha256');
    return {
      update(text: string) {
        h.update(text, 'utf8');
      },
      bytes(data: Uint8Array) {
        h.update(data);
      },
      hex() {
        return h.digest('hex');
      },
    };
  }
  const h = sha256.create();
  return {
    update(text: string) {
      h.update(utf8ToBytes(text));
    },
    bytes(data: Uint8Array) {
      h.update(data);
    },
    hex() {
      return bytesToHex(h.digest());
    },
  };
}
