// Preload (`node --import tsx --import diskFullPreload.ts ...`) that makes the disk full for the CLI's output files:
// once REPLSTORM_TEST_DISK_BYTES bytes have gone to files whose name holds REPLSTORM_TEST_DISK_MATCH (default the
// temporary outputs, `replstorm-tmp`), writes behave as write(2) does on a full disk: one short write with what still
// fits, then ENOSPC on every later write. Other files (tsx's cache, the input) are left alone.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

let free = Number(process.env['REPLSTORM_TEST_DISK_BYTES'] ?? '0');
const match = process.env['REPLSTORM_TEST_DISK_MATCH'] ?? 'replstorm-tmp';
const limited = new Set<number>();

function noSpace(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { errno: -28, code: 'ENOSPC', syscall: 'write' });
}

const openSync = fs.openSync;
fs.openSync = ((path: fs.PathLike, ...rest: unknown[]) => {
  const fd = (openSync as (...a: unknown[]) => number)(path, ...rest);
  if (String(path).includes(match)) limited.add(fd);
  return fd;
}) as typeof fs.openSync;

const closeSync = fs.closeSync;
fs.closeSync = ((fd: number) => {
  limited.delete(fd);
  closeSync(fd);
}) as typeof fs.closeSync;

const writeSync = fs.writeSync as (fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => number;
fs.writeSync = ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
  if (!limited.has(fd)) return writeSync(fd, data, ...rest);
  if (free <= 0) throw noSpace();
  // Strings and whole buffers only: what AtomicFile writes (offset and length arguments are not modelled).
  const bytes = typeof data === 'string' ? Buffer.from(data, (rest[1] as BufferEncoding | undefined) ?? 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const n = writeSync(fd, bytes.subarray(0, Math.min(free, bytes.length)));
  free -= n;
  return n;
}) as typeof fs.writeSync;

// REPLSTORM_TEST_RENAME_FAIL: a rename onto a file whose name holds it fails (EIO), as a rename on a failing disk or a
// network file system may, after every byte was written and synced: the commit's own failure, not a full disk's.
const renameFail = process.env['REPLSTORM_TEST_RENAME_FAIL'];
const renameSync = fs.renameSync;
fs.renameSync = ((from: fs.PathLike, to: fs.PathLike) => {
  if (renameFail !== undefined && renameFail !== '' && String(to).includes(renameFail)) {
    throw Object.assign(new Error(`EIO: i/o error, rename '${String(from)}' -> '${String(to)}'`), { errno: -5, code: 'EIO', syscall: 'rename' });
  }
  renameSync(from, to);
}) as typeof fs.renameSync;

// `import { writeSync } from 'node:fs'` reads these bindings: make them see the patched functions.
syncBuiltinESMExports();
