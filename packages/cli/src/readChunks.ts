import { close, closeSync, createReadStream, fstatSync, open, openSync, read, readSync, statSync } from 'node:fs';
import { UsageError } from './errors.js';

/**
 * The log's bytes. The file is opened when reading starts, not before: a refusal of an option found first (a bad
 * --what-if) must not leave an open stream whose error (a missing file) nobody handles.
 */
export async function* readChunks(log: string): AsyncGenerator<Uint8Array> {
  if (log === '-') {
    // A directory on standard input reads as an empty stream (Node reports its end at once): "the log is empty" at
    // 1:1 sent the user looking in the wrong place (hostile-input QA). (A closed standard input cannot be asked: read.)
    let directory = false;
    try {
      directory = fstatSync(0).isDirectory();
    } catch {
      // read as it comes
    }
    if (directory) throw new UsageError('standard input (-) is a directory, not a log file');
    yield* process.stdin as AsyncIterable<Uint8Array>;
    return;
  }
  // A regular file is read with synchronous reads of 64 KiB: a stream's reads go through the thread pool, and the
  // engine waited for each between chunks (6% of a replay of 1.1 million lines was idle in its profile; interleaved
  // runs, six each, the turns below included: median 3,231 ms against 3,347, 3.5%). Anything else is streamed as
  // before: a read of a pipe or a device may block, and so may opening a pipe with no writer; on the main thread that
  // would hold every signal. Asked by path (stat does not block) before anything is opened. A FIFO with no writer, or
  // one that stops writing, blocks the stream's worker thread, and process.exit waits for that thread for ever: an
  // interrupt then ends the process by its signal (readMayBlockExit). [limitation] A path swapped for a FIFO between
  // the stat and the open would block the main thread itself.
  let regular = false;
  try {
    regular = statSync(log).isFile();
  } catch {
    // (opened by the stream, which reports a missing file as before)
  }
  if (!regular) {
    yield* createReadStream(log, { highWaterMark: 1 << 16, fs: COUNTED_FS }) as AsyncIterable<Uint8Array>;
    return;
  }
  const fd = openSync(log, 'r');
  // (The event loop turns between chunks in simulateStream, which reads them, so that signals are handled.)
  try {
    for (;;) {
      // A new buffer per chunk: the decoder keeps slices of the chunks it holds lines of.
      const chunk = Buffer.allocUnsafe(1 << 16);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return;
      yield n < chunk.length ? chunk.subarray(0, n) : chunk;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The stream's file calls (fs.createReadStream's `fs` option), counting those under way: an open or a read of a pipe
 * or a device runs in a thread-pool worker and may block there for ever (a FIFO with no writer, or one that stopped
 * writing). A stream paused with data to spare has none under way.
 */
let callsUnderWay = 0;
const COUNTED_FS = {
  open(path: string, flags: string | number, mode: number, done: (err: NodeJS.ErrnoException | null, fd: number) => void): void {
    callsUnderWay++;
    open(path, flags, mode, (err, fd) => {
      callsUnderWay--;
      done(err, fd);
    });
  },
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null, done: (err: NodeJS.ErrnoException | null, bytesRead: number, buffer: Uint8Array) => void): void {
    callsUnderWay++;
    read(fd, buffer, offset, length, position, (err, bytesRead, buf) => {
      callsUnderWay--;
      done(err, bytesRead, buf);
    });
  },
  close,
};

/**
 * Whether an open or a read of a pipe is under way in a worker: process.exit would then wait for it, for ever if it
 * blocks (Node joins its workers on exit; a review saw "interrupted" printed and the process hang until kill -9, as
 * it did before readChunks read files synchronously).
 */
export function readMayBlockExit(): boolean {
  return callsUnderWay > 0;
}
