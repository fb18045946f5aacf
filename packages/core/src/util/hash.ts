import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

// @noble/hashes rather than node:crypto: audited, pure JS, so core runs unchanged in any JS runtime and stays free
// of `node:` imports (the purity rule of ../shared/style.md).

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** An incremental SHA-256 over UTF-8 text, for digests of states too large to hold as one string. */
export function createSha256(): { update(text: string): void; hex(): string } {
  const h = sha256.create();
  return {
    update(text: string) {
      h.update(utf8ToBytes(text));
    },
    hex() {
      return bytesToHex(h.digest());
    },
  };
}
