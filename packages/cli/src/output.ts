import { accessSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, ftruncateSync, lstatSync, openSync, readlinkSync, renameSync, rmdirSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import stringWidth from 'string-width';
import { UsageError } from './errors.js';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const pending = new Set<string>();

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The file an output to `path` replaces: `path` itself, or, for a symbolic link, the file it points to (followed to
 * its end; a link to a file not there yet names where it will be). [choice] As an editor saving through a link does:
 * the link stays, its target gets the new contents.
 */
function outputTarget(path: string): string {
  let target = path;
  for (let hops = 0; hops < 40; hops++) {
    let st: Stats;
    try {
      st = lstatSync(target);
    } catch {
      return target; // not there (yet): the output is made there
    }
    if (!st.isSymbolicLink()) return target;
    target = resolve(dirname(target), readlinkSync(target));
  }
  throw new UsageError(`${path}: cannot write it: too many levels of symbolic links`);
}

/**
 * The temporary file beside an output named `name`: `.<name>.replstorm-tmp-<tag>`, with the name shortened (and a
 * hash of it added, so two long names sharing a beginning stay apart) when that would pass 255 bytes, the longest file
 * name of common file systems: a valid 250-byte output name was refused as too long (hostile-input QA). `tag` is the
 * process's number and random bytes (newTemporaryTag): see AtomicFile's constructor.
 */
export function temporaryName(name: string, tag: string): string {
  const suffix = `.replstorm-tmp-${tag}`;
  if (Buffer.byteLength(`.${name}${suffix}`) <= 255) return `.${name}${suffix}`;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  let kept = '';
  for (const ch of name) {
    if (Buffer.byteLength(`.${kept}${ch}~${hash}${suffix}`) > 255) break;
    kept += ch;
  }
  return `.${kept}~${hash}${suffix}`;
}

/** A temporary file's tag: the process's number (whose files they are, for a person) and 6 random bytes. */
function newTemporaryTag(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** How many temporary names are tried before the output is refused (each one found already there). */
const TEMPORARY_TRIES = 8;

/**
 * The outputs this process has put in place (AtomicFile.commit), as named: what a signal that comes after them must
 * not call kept from being written (main.ts, interrupted). A signal met while the last outputs were synced and renamed
 * waits for them, and said "no output file was left half-written", exit 130, with both files new: a script read the
 * previous ones as intact (an interruption QA pass).
 */
const committed: string[] = [];

/** The outputs written so far (see `committed`). */
export function committedOutputs(): readonly string[] {
  return committed;
}

/** Starts the list of outputs written anew (a command's start: main.ts). */
export function forgetCommittedOutputs(): void {
  committed.length = 0;
}

/** Whether a temporary file or a directory made for an output is held now: what a signal's listener must remove. */
export function holdsFiles(): boolean {
  return pending.size > 0 || madeDirectories.size > 0;
}

/** Directories made for outputs not written yet, outermost first (see holdMadeDirectories). */
const madeDirectories = new Set<readonly string[]>();

/** Removes every temporary file still open (on error, SIGINT, SIGTERM): nothing half-written is left. */
export function removePendingOutputs(): void {
  for (const tmp of pending) rmSync(tmp, { force: true });
  pending.clear();
  for (const dirs of madeDirectories) removeEmpty(dirs);
  madeDirectories.clear();
}

/** Removes `dirs` (outermost first) from the innermost out, while they are empty. */
export function removeEmpty(dirs: readonly string[]): void {
  for (let i = dirs.length - 1; i >= 0; i--) {
    try {
      rmdirSync(dirs[i]!); // only an empty one (another run may have written there meanwhile)
    } catch {
      return;
    }
  }
}

/**
 * Directories made before a command's run for its outputs (explore's --out): removed again if the command ends with
 * nothing written into them, whether it finishes (`finish`), fails or is interrupted (removePendingOutputs). A search
 * that wrote nothing left an empty directory (a researcher's QA pass), and one interrupted or failed still did (a
 * review).
 */
export function holdMadeDirectories(dirs: readonly string[]): { finish(): void } {
  madeDirectories.add(dirs);
  return {
    finish: () => {
      madeDirectories.delete(dirs);
      removeEmpty(dirs);
    },
  };
}

/**
 * A temporary file that is not an output (a design module's fresh copy): removed with the outputs on an error or a
 * signal (removePendingOutputs), or by calling the function returned once it is no longer needed.
 */
export function holdTemporaryFile(path: string): () => void {
  pending.add(path);
  return () => {
    rmSync(path, { force: true });
    pending.delete(path);
  };
}

/**
 * Whether an output to `path` would replace the regular file open as descriptor `fd` (0: the file standard input
 * reads). Not a device or pipe (`/dev/null` as both), which AtomicFile refuses for what it is.
 */
export function isFileOf(path: string, fd: number): boolean {
  const st = statOrUndefined(outputTarget(path));
  return st !== undefined && st.isFile() && sameFile(fd, st);
}

/** Whether descriptor `fd` is open on the file `st` describes. */
function sameFile(fd: number, st: Stats): boolean {
  try {
    const f = fstatSync(fd);
    return f.dev === st.dev && f.ino === st.ino;
  } catch {
    return false; // (closed)
  }
}

/**
 * An output file written to a temporary name beside it and renamed over the target only when complete, so an
 * interrupted run (error, Ctrl-C, disk full) leaves the previous file intact and no partial one.
 *
 * What is replaced is a regular file: through a symbolic link, the file it points to (the link stays); an existing
 * file keeps its permissions (and, where this process may set them, its owner). Anything else in the file's place is
 * refused before the run: a directory, and a device, pipe or socket (renaming a new file over /dev/full or a named
 * pipe would replace it with a plain file, and as root that is a system file).
 */
export class AtomicFile {
  /** The path as given (for messages). */
  readonly path: string;
  /** The file replaced at commit: `path`, or the file a symbolic link at `path` points to. */
  private readonly target: string;
  private readonly tmp: string;
  private fd: number;
  private buffer: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.path = path;
    // A name ending in a separator names a directory: the file was written beside it and the rename failed at the end
    // ("not a directory (ENOTDIR)", an operator's QA pass).
    if (path.endsWith('/') || path.endsWith(sep)) throw new UsageError(`${path}: names a directory (it ends with ${path.slice(-1)}); give the output file's name`);
    this.target = outputTarget(path);
    // Checked before the run, not found when the finished file is renamed over a directory.
    const existing = statOrUndefined(this.target);
    // A name longer than the file system takes (a component past 255 bytes on most) was found at the rename, after
    // the whole run (the temporary name is shortened to fit: temporaryName): the finding printed, then exit 2 (an
    // interruption QA pass). The target's own name is looked up here, and refused before the run.
    if (existing === undefined) {
      try {
        statSync(this.target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENAMETOOLONG') {
          // (The part that is too long: the file's name, or a directory's on the way, a review.)
          const longest = this.target.split(sep).reduce((a, b) => (Buffer.byteLength(b) > Buffer.byteLength(a) ? b : a), '');
          const part = longest === basename(this.target) ? 'the file name is' : 'a part of the path is';
          throw new UsageError(`${path}: cannot write it: ${part} too long for the file system (${Buffer.byteLength(longest).toLocaleString('en-US')} bytes); give a shorter one`);
        }
      }
    }
    if (existing?.isDirectory() === true) throw new UsageError(`${path}: is a directory; give the output file's name`);
    if (existing !== undefined && !existing.isFile()) {
      throw new UsageError(`${path}: is not a regular file (a device, pipe or socket): replstorm writes the output to a new file and renames it into place; give a file's name`);
    }
    // A file there that we may not write: the new file is renamed over it, which only the directory's permission
    // governs, so a read-only file (or another user's) was replaced, exit 0, where the shell's `>` refuses it (an
    // operator's QA pass). Refused before the run. [choice] A file with no write permission for anyone is refused for
    // root too (whose `>` would write it, as `cp` would): read-only is what its owner said of it, as `vim` warns.
    if (existing !== undefined && (existing.mode & 0o222) === 0) {
      throw new UsageError(`${path}: the file is read-only (mode ${(existing.mode & 0o777).toString(8).padStart(4, '0')}): replstorm would replace it; give another file's name, or make it writable (chmod u+w)`);
    }
    // A sticky directory (/tmp) lets only the file's owner (or the directory's, or root) replace it: the rename at the
    // end failed (EPERM) after the whole run, the file writable to us (mode 666) and another user's (a QA pass of
    // environments). Refused before the run.
    const uid = process.getuid?.();
    if (existing !== undefined && uid !== undefined && uid !== 0 && existing.uid !== uid) {
      const dir = statOrUndefined(dirname(this.target));
      if (dir !== undefined && (dir.mode & 0o1000) !== 0 && dir.uid !== uid) {
        throw new UsageError(`${path}: cannot replace it: the file is another user's (uid ${existing.uid}) in a directory with the sticky bit (${dirname(this.target)}), where only its owner may replace it, and replstorm writes a new file and renames it into place; give another file's name`);
      }
    }
    if (existing !== undefined) {
      try {
        accessSync(this.target, constants.W_OK);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`${path}: permission denied: the file is there and you may not write it (replstorm would replace it); give another file's name, or make it writable`);
        if (code === 'EROFS') throw new UsageError(`${path}: cannot write it: the file system is read-only`);
      }
    }
    // The file standard output or error goes to (`--record /dev/stdout > out.jsonl`, or the name given to the shell's
    // redirection too): renamed over, it took the summary printed after it along to the unlinked file, lost unsaid.
    if (existing !== undefined) {
      for (const [fd, name] of [[1, 'output'], [2, 'error']] as const) {
        if (sameFile(fd, existing)) throw new UsageError(`${path}: is the file standard ${name} goes to (${this.target}): the output would replace it, and what is printed there with it; give another file's name`);
      }
    }
    // The temporary file is made new, never opened where something already is ('wx': O_CREAT | O_EXCL, which follows
    // no symbolic link), under a name no one can guess (random bytes): with `.<name>.replstorm-tmp-<pid>` opened with
    // 'w', a link planted at that name made replstorm write the output through it, over the file it pointed to, run
    // interrupted or not (hostile-input QA).
    let tmp = '';
    let fd = -1;
    for (let i = 0; fd < 0; i++) {
      tmp = join(dirname(this.target), temporaryName(basename(this.target), newTemporaryTag()));
      try {
        fd = this.opened(() => openSync(tmp, 'wx'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (i + 1 >= TEMPORARY_TRIES) throw new UsageError(`${path}: cannot write it: ${TEMPORARY_TRIES} new temporary files beside it were each found there already (${tmp})`);
      }
    }
    this.tmp = tmp;
    this.fd = fd;
    pending.add(this.tmp);
    if (existing !== undefined) this.keepAttributes(existing);
  }

  /** The existing file's owner and permissions (exactly, not through the umask), on the file that replaces it. */
  private keepAttributes(existing: Stats): void {
    // The owner first: changing it clears set-user-ID and set-group-ID bits, which the mode then puts back.
    const uid = process.getuid?.();
    if (uid !== undefined && (existing.uid !== uid || existing.gid !== process.getgid?.())) {
      try {
        fchownSync(this.fd, existing.uid, existing.gid);
      } catch {
        // Only root may give a file away: another user's file writable by us becomes ours, as with any editor.
      }
    }
    try {
      fchmodSync(this.fd, existing.mode & 0o7777);
    } catch {
      // (A file system without Unix permissions: the new file keeps the default ones.)
    }
  }

  write(text: string): void {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size > 1 << 20) this.flush();
  }

  /** Opening the output: a missing directory or a directory in the file's place is named as such. */
  private opened<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') {
        // The directory the file goes in: through a link, the one its target is in (the link's own was named).
        const dir = dirname(this.target);
        const via = this.target !== this.path ? ` (${this.path} is a link to ${this.target})` : '';
        if (statOrUndefined(dir)?.isDirectory() !== true) throw new UsageError(`${this.path}: cannot write it: the directory ${dir} does not exist${via}`);
        // A directory that is there but takes no new file (/proc/self): "does not exist" was wrong (hostile QA).
        throw new UsageError(`${this.path}: cannot write it: no new file can be made in ${dir}${via}`);
      }
      if (e.code === 'ENOTDIR') throw new UsageError(`${this.path}: cannot write it: a part of the path is a file, not a directory`);
      // (What is opened is the new file beside the target: a refusal is the directory's, which "permission denied"
      // alone did not say, with the target writable (an interruption QA pass).)
      if (e.code === 'EACCES' || e.code === 'EPERM') throw new UsageError(`${this.path}: cannot write it: permission denied to make a new file in the directory ${dirname(this.target)} (replstorm writes the output beside its target and renames it into place)`);
      if (e.code === 'EROFS') throw new UsageError(`${this.path}: cannot write it: the file system is read-only`);
      return this.named(() => {
        throw err;
      });
    }
  }

  /** Errors name the file being written (a write error carries no path of its own). */
  private named<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e !== null && typeof e === 'object') e.path = this.path;
      throw err;
    }
  }

  /**
   * The first error writing the file (a full disk), kept, not thrown: a run writing its recording as it goes runs to
   * its end, so its finding is printed, and the error is thrown by `check` and `commit` (replay and run lost the whole
   * finding to a full disk, where verify and explore print theirs: hostile-input QA). Nothing more is written after it.
   */
  private failure: unknown = undefined;

  private flush(): void {
    if (this.buffer.length === 0) return;
    if (this.failure !== undefined) {
      this.buffer = [];
      this.size = 0;
      return;
    }
    const bytes = Buffer.from(this.buffer.join(''), 'utf8');
    this.buffer = [];
    this.size = 0;
    // writeSync may write less than asked (a full disk writes what fits, then fails): write the rest until done.
    try {
      this.named(() => {
        for (let off = 0; off < bytes.length; ) {
          const n = writeSync(this.fd, bytes, off, bytes.length - off, this.written);
          off += n;
          this.written += n;
        }
      });
    } catch (err) {
      this.failure = err;
    }
  }

  /** Throws the error that stopped the writing, if one did (see `failure`). */
  check(): void {
    this.flush();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Bytes in the file so far (what was written, buffered included). */
  private written = 0;

  /** A point to come back to (`truncate`): the length of what was written so far. */
  mark(): number {
    this.flush();
    return this.written;
  }

  /** Drops what was written after `mark()` returned `at`: later writes go from there. */
  truncate(at: number): void {
    this.flush();
    if (this.failure !== undefined) return;
    this.named(() => ftruncateSync(this.fd, at));
    this.written = at;
  }

  /** Writes what is buffered, syncs, and renames the file into place; throws what stopped the writing, if anything did. */
  commit(): void {
    this.check();
    this.named(() => {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
      renameSync(this.tmp, this.target);
    });
    pending.delete(this.tmp);
    committed.push(this.path);
  }

  abort(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.tmp, { force: true });
    pending.delete(this.tmp);
  }
}

/** Writes a whole file atomically. */
export function writeFileAtomic(path: string, text: string): void {
  const f = new AtomicFile(path);
  try {
    f.write(text);
    f.commit();
  } catch (err) {
    f.abort();
    throw err;
  }
}

/** Colours only on a TTY without NO_COLOR. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && (process.env['NO_COLOR'] ?? '') === '';
}

/**
 * Progress on stderr for runs longer than a second, only on a TTY: one line rewritten in place. `done` clears it.
 */
export function createProgress(label: string): { tick(text: () => string): void; now(text: string): void; done(): void } {
  // (Not on a terminal that says it moves no cursor, TERM=dumb: an editor's shell buffer showed the escapes, a QA pass
  // of environments.)
  const tty = process.stderr.isTTY === true && process.env['TERM'] !== 'dumb';
  const start = performance.now();
  let last = 0;
  let shown = false;
  const show = (text: string): void => {
    shown = true;
    // One terminal row at most, cut with "…": `\r\x1b[K` clears the row the cursor is on, so a line that wrapped
    // left its first rows behind at every tick (46 stale rows over a replay at 80 columns: a QA pass at scale).
    const line = `${label}: ${text}`;
    const columns = process.stderr.columns;
    process.stderr.write(`\r\x1b[K${columns !== undefined && columns > 1 ? oneRow(line, columns) : line}`);
  };
  return {
    tick(text) {
      if (!tty) return;
      const now = performance.now();
      if (now - start < 1000 || now - last < 200) return;
      last = now;
      show(text());
    },
    /**
     * The line at once, for a step that holds the thread and cannot tick (building a report of a big run: 6.5 s of
     * silence after a replay of 3 million lines, a QA pass at scale). `done` clears it, as a tick's.
     */
    now(text) {
      if (!tty) return;
      last = performance.now();
      show(text);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

/**
 * `line` as it fits in a terminal row `columns` wide, less one (a full row leaves the cursor past it): cut with "…"
 * where it does not, by terminal columns (a CJK character takes two, an emoji is not split), not UTF-16 units.
 */
export function oneRow(line: string, columns: number): string {
  if (stringWidth(line) < columns) return line;
  let out = '';
  let width = 0;
  for (const ch of new Intl.Segmenter().segment(line)) {
    const w = stringWidth(ch.segment);
    if (width + w > columns - 2) break;
    out += ch.segment;
    width += w;
  }
  return `${out}…`;
}

/**
 * How full the V8 heap is with live data, from 0 to 1, over the old generation's limit. `heap_size_limit` also counts
 * the young generation's reserve (48 MB: three 16 MB semi-spaces, Node 20 on 64 bits), which live data never fills:
 * under --max-old-space-size=128 the limit reads 176 MB and V8 gave up ("ineffective mark-compacts") at 117 MB used,
 * 67% of it. And `used_heap_size` counts garbage not yet collected: a reading of 80% was 53% after a full collection,
 * and a storm run that finishes under a 96 MB heap was refused. So a reading at or above CONFIRM_AT is confirmed by a
 * full collection, and the figure after it is returned. Not at every reading: live data is never more than the heap
 * used, so while the heap has grown by less than CONFIRM_STEP since the last collection here, live data is within
 * CONFIRM_STEP of the figure after it, which stands (collections forced at most once per 5% of the heap allocated).
 * Callers compare the result with their threshold (0.75 run and replay, 0.8 explore), at or above CONFIRM_AT.
 */
export function heapFullness(): number {
  const now = getHeapStatistics().used_heap_size / oldGenerationLimit();
  if (now < CONFIRM_AT) return now;
  if (now - confirmed < CONFIRM_STEP) return confirmed;
  if (!collectGarbage()) return now; // no way to collect: the reading stands
  confirmed = getHeapStatistics().used_heap_size / oldGenerationLimit();
  return confirmed;
}

const CONFIRM_AT = 0.75;
const CONFIRM_STEP = 0.05;
let confirmed = 0;
let gc: (() => void) | null | undefined;

/**
 * A full garbage collection, as `--expose-gc`'s `gc()` (given by the flag, or made available at run time: setting the
 * flag now and taking `gc` from a new context is the documented way to reach it without the command-line flag).
 */
function collectGarbage(): boolean {
  if (gc === undefined) {
    const existing = (globalThis as { gc?: () => void }).gc;
    try {
      if (typeof existing === 'function') gc = existing;
      else {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as () => void;
      }
    } catch {
      gc = null;
    }
  }
  if (gc === null) return false;
  gc();
  return true;
}

/** The old generation's limit in MB (what --max-old-space-size sets): heapFullness's 100%. */
export function heapLimitMb(): number {
  return Math.round(oldGenerationLimit() / 2 ** 20);
}

function oldGenerationLimit(): number {
  const limit = getHeapStatistics().heap_size_limit;
  return limit - Math.min(48 * 2 ** 20, limit / 2);
}
