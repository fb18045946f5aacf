import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBigLog } from './bigLog.js';
import { EXAMPLE_LOG as EXAMPLE, GOLDEN_DIR, MAIN_TS, REPO_ROOT, TEST_DIR, spawnCli, type CliResult } from './cliHarness.js';

// Nothing lost (output.ts, AtomicFile): an output file is written beside its target and renamed over it only when
// complete, so a run cut short by Ctrl-C, a kill or a full disk leaves the previous file as it was and no partial file,
// and says so with its exit code: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP, 2 for a write error.

const tmp = mkdtempSync(join(tmpdir(), 'replstorm-interrupt-'));
const BIG = join(tmp, 'big.jsonl');
const MID = join(tmp, 'mid.jsonl');
const SMALL = join(tmp, 'small.jsonl');
const GOLDEN = join(GOLDEN_DIR, 'seed-both-members-conflicts.jsonl');
const PRELOAD = join(TEST_DIR, 'diskFullPreload.ts');
/** Room left on the "disk" in both ways of filling it: less than any output below. */
const DISK_BYTES = 64 * 1024;

beforeAll(async () => {
  await writeBigLog(BIG, 50);
  // Recordings of about 4 MB (written in several pieces) and 0.4 MB (one piece), and a report of about 70 KB.
  await writeBigLog(MID, 2);
  await writeBigLog(SMALL, 0.2);
});

/** A tmpfs of DISK_BYTES where this runs as root and may mount one, else undefined (the preload covers the case). */
function mountSmallDisk(): string | undefined {
  const dir = join(tmp, 'tmpfs');
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_BYTES}`, 'tmpfs', dir], { stdio: 'ignore' });
  return r.status === 0 ? dir : undefined;
}
const smallDisk = process.platform === 'linux' ? mountSmallDisk() : undefined;

afterAll(() => {
  if (smallDisk !== undefined) spawnSync('umount', [smallDisk], { stdio: 'ignore' });
  rmSync(tmp, { recursive: true, force: true });
});

function tmpFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.includes('replstorm-tmp'));
}

describe('a signal while recording', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    // A terminal closed under the run.
    ['SIGHUP', 129],
  ] as const)('%s during replay --record --report of a 50 MB log: exit %d, the previous files intact, no partial file', async (signal, code) => {
    expect(statSync(BIG).size).toBeGreaterThan(50e6);
    const dir = mkdtempSync(join(tmp, `${signal}-`));
    const record = join(dir, 'out.jsonl');
    const report = join(dir, 'out.html');
    writeFileSync(record, 'the previous recording\n');
    writeFileSync(report, '<p>the previous report</p>\n');
    let signalled = false;
    const res = await spawnCli(['replay', '--record', record, '--report', report, BIG], {
      whileRunning: (child) => {
        // Signal once the recording is under way: its temporary file holds a first megabyte. (The report's is made
        // at the start too, and stays empty until the run is over.)
        const poll = setInterval(() => {
          const partial = tmpFiles(dir).find((f) => f.includes('out.jsonl'));
          if (partial === undefined || statSync(join(dir, partial), { throwIfNoEntry: false })?.size === 0) return;
          clearInterval(poll);
          signalled = child.kill(signal);
        }, 10);
        child.on('close', () => clearInterval(poll));
      },
    });
    expect(signalled, `the signal was sent while the replay ran (exit ${res.code}, stderr ${res.stderr})`).toBe(true);
    expect(res.code).toBe(code);
    expect(res.stderr).toMatch(new RegExp(`interrupted \\(${signal}\\)`));
    expect(res.stderr).not.toMatch(/^\s+at /m);
    expect(readdirSync(dir).sort()).toEqual(['out.html', 'out.jsonl']);
    expect(readFileSync(record, 'utf8')).toBe('the previous recording\n');
    expect(readFileSync(report, 'utf8')).toBe('<p>the previous report</p>\n');
  });

  const SCHEDULE = '"sso":true,"rewriteValidTags":false,"scheduleEveryMs":60000';
  it.each([
    ['the replayed run', `{${SCHEDULE}}`, []],
    ['only the --what-if run (its design schedules the scans)', '{"sso":true}', ['--what-if', 'smsdom:sso=true,rewriteValidTags=false,scheduleEveryMs=60000']],
  ] as const)('SIGINT while the engine works through a long stretch between two input events in %s: exit 130 at once, not when the stretch ends', async (_, config, extra) => {
    // A scheduled scan of 1,000 documents every minute until an end at 2^53-1: work the engine refuses only after a
    // million passes (about 40 s here). A connection every minute was once enough, until the engine ran its million
    // idle sessions in less than the 300 ms this test waits: the refusal then came before the signal.
    // (Without --record: a recording of that stretch would fill gigabytes before the refusal.)
    const unid = (i: number) => (i + 1).toString(16).toUpperCase().padStart(32, '0');
    const log = [
      '{"replog":1,"meta":{"case":"a scheduled scan of 1,000 documents every minute until 2^53-1"}}',
      '{"at":0,"type":"server","name":"Alpha"}',
      '{"at":0,"type":"database","name":"db.nsf","replicas":["Alpha"]}',
      ...Array.from({ length: 1000 }, (_, i) =>
        JSON.stringify({ at: 0, type: 'save', server: 'Alpha', db: 'db.nsf', unid: unid(i), by: 'user/ann', set: { Subject: `m${i}` } }),
      ),
      `{"at":1000,"type":"scanner","server":"Alpha","design":"smsdom","config":${config}}`,
      `{"at":${Number.MAX_SAFE_INTEGER},"type":"end"}`,
      '',
    ].join('\n');
    // Through a named pipe: its opening for writing completes once the CLI (signal handlers installed) opens the log.
    const fifo = join(mkdtempSync(join(tmp, 'stretch-')), 'log.jsonl');
    expect(spawnSync('mkfifo', [fifo]).status, 'mkfifo').toBe(0);
    let sentAt = 0;
    const res = await spawnCli(['replay', ...extra, fifo], {
      whileRunning: (child) => {
        void (async () => {
          const pipe = await open(fifo, 'w');
          await pipe.writeFile(log);
          await pipe.close();
          setTimeout(() => {
            sentAt = performance.now();
            child.kill('SIGINT');
          }, 300);
        })();
      },
    });
    const ms = performance.now() - sentAt;
    expect(sentAt, 'the signal was sent').toBeGreaterThan(0);
    expect(res.code).toBe(130);
    expect(res.stderr.trim(), 'only the interruption is reported').toMatch(/^replstorm: interrupted \(SIGINT\)[^\n]*$/);
    expect(ms, 'milliseconds from SIGINT to exit').toBeLessThan(2_000);
  });
});

describe('a signal while replay waits on a pipe', () => {
  // A FIFO no one writes to: the stream's open blocks a thread-pool worker, and process.exit waited for it for ever
  // ("interrupted" printed, then a hang until kill -9; a review). The process now ends by the signal itself.
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while replay waits for a writer to its FIFO: ended by the signal within 2 s (a shell reports %d)', async (signal, _code) => {
    const fifo = join(mkdtempSync(join(tmp, 'no-writer-')), 'log.jsonl');
    expect(spawnSync('mkfifo', [fifo]).status, 'mkfifo').toBe(0);
    let sentAt = 0;
    const res = await spawnCli(['replay', fifo], {
      whileRunning: (child) => {
        // Sent once the replay waits in the FIFO's open (its listeners are on by then): a fixed second after the spawn
        // came before them on a loaded machine, and the signal's default action ended the process without a word (a
        // developer's QA pass: stderr ''). Linux says where each thread sleeps; elsewhere, 3 s, which can still come
        // first on a machine that slow.
        const started = performance.now();
        const send = () => {
          sentAt = performance.now();
          child.kill(signal);
          // (A hang is ended here, and fails below as SIGKILL, rather than outliving the test.)
          setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
        };
        const poll = () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          if (waitsForWriter(child.pid!) ?? performance.now() - started > 3_000) send();
          else if (performance.now() - started > 20_000) send();
          else setTimeout(poll, 50);
        };
        poll();
      },
    });
    const ms = performance.now() - sentAt;
    expect(sentAt, 'the signal was sent').toBeGreaterThan(0);
    expect(res.signal).toBe(signal);
    expect(res.stderr).toContain(`replstorm: interrupted (${signal}); no output file was left half-written`);
    expect(ms, 'milliseconds from the signal to the end').toBeLessThan(2_000);
  });
});

/**
 * Whether a thread of process `pid` sleeps in a FIFO's open, waiting for a writer (Linux: /proc's wchan reads
 * `wait_for_partner`, or `fifo_open` on older kernels); undefined where /proc cannot say.
 */
function waitsForWriter(pid: number): boolean | undefined {
  let named = false;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      let where: string;
      try {
        where = readFileSync(`/proc/${pid}/task/${t}/wchan`, 'utf8').trim();
      } catch {
        continue; // (a thread that ended meanwhile)
      }
      if (/^(wait_for_partner|fifo_open)$/.test(where)) return true;
      // (A kernel that hides where threads sleep reads "0" for each: that says nothing, and the caller waits 3 s.)
      if (/^[A-Za-z_]\w*$/.test(where)) named = true;
    }
  } catch {
    return undefined;
  }
  return named ? false : undefined;
}

/** Runs the CLI as a child process, optionally with the disk-full preload. */
function runChild(args: readonly string[], preload: boolean): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const node = ['--import', 'tsx', ...(preload ? ['--import', PRELOAD] : []), MAIN_TS];
    const env = { ...process.env, REPLSTORM_TEST_DISK_BYTES: String(DISK_BYTES) };
    const child = spawn(process.execPath, [...node, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

const WAYS = [
  ...(smallDisk !== undefined ? [{ name: `a ${DISK_BYTES / 1024} KB tmpfs`, preload: false }] : []),
  { name: `a preload that fills the disk after ${DISK_BYTES / 1024} KB (short write, then ENOSPC)`, preload: true },
];

const OUTPUTS: [name: string, target: string, args: (target: string) => string[]][] = [
  ['--record of a recording written in several pieces', 'out.jsonl', (t) => ['replay', '--record', t, MID]],
  ['--record of a recording written in one piece', 'out.jsonl', (t) => ['replay', '--record', t, SMALL]],
  ['--report', 'out.html', (t) => ['replay', '--report', t, GOLDEN]],
  ['run\'s --record', 'out.jsonl', (t) => ['run', 'smsdom-storm', '--set', 'databases=2', '--set', 'docs=20', '--record', t]],
];

describe.each(WAYS.map((w) => [w.name, w.preload] as const))('a full disk, %s', (_, preload) => {
  /** A fresh directory on the full disk (the tmpfs, emptied) or anywhere (the preload fills any disk). */
  function outputDir(): string {
    if (preload || smallDisk === undefined) return mkdtempSync(join(tmp, 'disk-'));
    for (const f of readdirSync(smallDisk)) rmSync(join(smallDisk, f), { recursive: true, force: true });
    return smallDisk;
  }

  it.each(OUTPUTS)('%s: the finding printed all the same, then exit 2 and one line saying the output could not be written for want of space, the previous file intact, no temporary file', async (_, target, args) => {
    const dir = outputDir();
    const path = join(dir, target);
    writeFileSync(path, 'the previous file\n');
    const res = await runChild(args(path), preload);
    expect(tmpFiles(dir), 'no temporary file left').toEqual([]);
    expect(readFileSync(path, 'utf8'), 'the previous file intact').toBe('the previous file\n');
    expect(readdirSync(dir)).toEqual([target]);
    expect(res.code, `exit code (stderr: ${res.stderr})`).toBe(2);
    // The finding is not thrown away (hardening QA: a full disk left standard output empty, where verify and explore
    // print theirs): the summary, without the line naming the output.
    expect(res.stdout).toMatch(/^(replay|run) of .*\n {2}stopped .*\n[^]* {2}digest {8}sha256:[0-9a-f]{64}\n/);
    expect(res.stdout).not.toMatch(/report written to|recorded to/);
    expect(res.stderr).not.toMatch(/^\s+at /m);
    expect(res.stderr.trimEnd().split('\n'), res.stderr).toHaveLength(1);
    expect(res.stderr).toMatch(new RegExp(`^replstorm: the finding above is complete, but an output could not be written: .*${target.replace('.', '\\.')}: no space left on the device\n$`));
  });

  it('the message names the file that could not be written, not the log being read', async () => {
    const dir = outputDir();
    const path = join(dir, 'out.jsonl');
    writeFileSync(path, 'the previous file\n');
    const res = await runChild(['replay', '--record', path, MID], preload);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(path);
    expect(existsSync(path)).toBe(true);
  });
});

describe('--record and --report: both or neither', () => {
  it('a report that does not fit on the disk leaves no recording either (the recording was renamed into place first)', () => {
    const dir = mkdtempSync(join(tmp, 'both-'));
    // 64 KB of room: the recording (7 KB) fits, the report (about 70 KB) does not.
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', PRELOAD, MAIN_TS, 'replay', EXAMPLE, '--record', join(dir, 'rec.jsonl'), '--report', join(dir, 'rep.html')], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, REPLSTORM_TEST_DISK_BYTES: String(DISK_BYTES) } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/rep\.html: no space left on the device; so .*rec\.jsonl was not written either \(both outputs or neither\)/);
    expect(r.stdout).toMatch(/^replay of /);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('--record and --report: a rename that fails after the other output is in place', () => {
  it('the recording renamed into place, the report\'s rename failing: the finding printed, exit 2, the message saying the recording was written before it failed, no temporary file', () => {
    const dir = mkdtempSync(join(tmp, 'renamed-'));
    const rec = join(dir, 'rec.jsonl');
    const rep = join(dir, 'rep.html');
    writeFileSync(rep, 'the previous report\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', PRELOAD, MAIN_TS, 'replay', EXAMPLE, '--record', rec, '--report', rep], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, REPLSTORM_TEST_DISK_BYTES: String(1 << 30), REPLSTORM_TEST_RENAME_FAIL: 'rep.html' } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^replay of /);
    expect(r.stdout).not.toMatch(/report written to|recorded to/);
    expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^replstorm: the finding above is complete, but an output could not be written: .*rep\\.html.*; ${rec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} was written before it failed\n$`));
    // The recording is whole (it replays as recorded); the previous report is intact; no temporary file is left.
    expect(readFileSync(rec, 'utf8')).toMatch(/^\{"replog":1,[^]*\n$/);
    expect(readFileSync(rep, 'utf8')).toBe('the previous report\n');
    expect(tmpFiles(dir)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['rec.jsonl', 'rep.html']);
  });
});

describe('a counterexample log that cannot be written', () => {
  it('verify: the finding is not thrown away (printed in full, then exit 2 saying which log is missing), no temporary file', () => {
    const dir = mkdtempSync(join(tmp, 'cex-'));
    // The preload with no room at all: the first write of the log fails (ENOSPC).
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', PRELOAD, MAIN_TS, 'verify', 'smsdom', '--runs', '5', '--seed', '1', '--out', dir], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, REPLSTORM_TEST_DISK_BYTES: '0' } });
    expect(r.stdout).toMatch(/no-scanner-conflicts VIOLATED: .*\n {2}seed 1, path "[0-9:]+"\n {2}shrunk counterexample: NOT WRITTEN \(.*no space left on the device\)/);
    expect(r.stdout).toMatch(/verdict: FAILED/);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the finding above is complete, but its counterexample log could not be written: .*smsdom-no-scanner-conflicts-1\.jsonl: no space left on the device/);
    expect(r.stderr).not.toMatch(/replstorm-tmp|ENOSPC: ENOSPC/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('verify: --out directories it made for a log it could not write are removed again, as explore\'s are (hardening QA: ce/x/y was left, empty)', () => {
    const dir = mkdtempSync(join(tmp, 'cex-made-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', PRELOAD, MAIN_TS, 'verify', 'smsdom', '--runs', '5', '--seed', '1', '--out', join(dir, 'ce', 'x', 'y')], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, REPLSTORM_TEST_DISK_BYTES: '0' } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/the finding above is complete, but its counterexample log could not be written/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('Ctrl-C during a long synchronous computation', () => {
  const forever = `forever=${join(TEST_DIR, 'designs', 'forever.ts')}`;
  it.each([
    ['verify', ['verify', join(TEST_DIR, 'designs', 'forever.ts'), '--runs', '5', '--seed', '1']],
    ['compare', ['compare', 'forever', '--design', forever, '--set', 'databases=1', '--set', 'docs=2']],
    ['explore', ['explore', 'smsdom-storm', '--set', 'design=forever', '--design', forever, '--depth', '3']],
  ] as const)('SIGINT while %s runs a design whose scan never returns: exit 130 within a second (a researcher\'s QA pass: only SIGKILL stopped it)', async (_, args) => {
    const out = mkdtempSync(join(tmp, 'forever-'));
    let killedAt = 0;
    // (--out a directory not there yet: explore makes it before the search, and must remove it again, empty.)
    const res = await spawnCli([...args, ...(args[0] === 'compare' ? [] : ['--out', join(out, 'made', 'here')])], {
      whileRunning: (child) => {
        // Start-up (a few hundred ms) and then the first scan, which never ends.
        setTimeout(() => {
          killedAt = performance.now();
          child.kill('SIGINT');
        }, 4_000);
        // A regression must fail the test, not leave a process looping for ever.
        const reaper = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.on('close', () => clearTimeout(reaper));
      },
    });
    const latency = performance.now() - killedAt;
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toContain('interrupted (SIGINT)');
    expect(res.stderr).not.toMatch(/^\s+at /m);
    expect(latency).toBeLessThan(1_000);
    expect(readdirSync(out)).toEqual([]);
  }, 30_000);
});

describe('Ctrl-C through the replstorm script (package.json), as the README runs it', () => {
  // A hardening QA pass: the script ran the tsx command, which runs the program as a child process, relays a signal
  // to it, and kills it (SIGKILL) unless it answers within 60 ms: any synchronous stretch longer than that (a slow
  // scan, writing a report) ended without the handler that removes the temporary files (1 Ctrl-C in 4 or 5 left
  // them). The script now runs node itself, with tsx's hooks: the signal reaches the program and nothing else.
  it('SIGINT to the process group while a scan holds the process 300 ms: "interrupted", exit 130, no temporary file', async () => {
    const dir = mkdtempSync(join(tmp, 'script-'));
    const design = join(dir, 'slow300.ts');
    writeFileSync(design, "export default { name: 'slow300', description: 'each scan 300 ms', defaults: { scheduleEveryMs: 3600000 }, scheduleEveryMs: (c) => c.scheduleEveryMs, scan() { const t = Date.now() + 300; while (Date.now() < t); return { verdict: 'clean' }; } };\n");
    const script = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['replstorm']!;
    const args = ['run', 'smsdom-storm', '--set', 'design=slow300', '--design', `slow300=${design}`, '--set', 'databases=1', '--set', 'docs=200', '--set', 'scanServers=first', '--record', join(dir, 'out.jsonl'), '--report', join(dir, 'out.html')];
    // As pnpm runs a script: by a shell (which hands over to the command: exec), with the packages' binaries on the
    // PATH; in a process group of its own, which the signal is sent to, as a terminal sends Ctrl-C.
    const child = spawn('sh', ['-c', `exec ${script} "$@"`, 'sh', ...args], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}` },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    // Start-up and setup take a second or two; the pass (200 scans of 300 ms) then runs for a minute.
    const signalAt = setTimeout(() => process.kill(-child.pid!, 'SIGINT'), 6_000);
    const reaper = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    clearTimeout(signalAt);
    clearTimeout(reaper);
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('interrupted (SIGINT); no output file was left half-written');
    expect(readdirSync(dir)).toEqual(['slow300.ts']);
  }, 40_000);
});

describe('Ctrl-C during a long search that has found something', () => {
  it('SIGINT during explore says the violations found so far, with the depth that writes their log (an explore QA pass: a 3-step conflict went unsaid)', async () => {
    const out = mkdtempSync(join(tmp, 'found-'));
    // 3 servers x 2 documents to depth 12: the 3-step conflict is found within the first second; the search runs on.
    const res = await spawnCli(['explore', 'smsdom-storm', '--set', 'servers=3', '--set', 'docs=2', '--depth', '12', '--out', join(out, 'logs')], {
      whileRunning: (child) => {
        const at = setTimeout(() => child.kill('SIGINT'), 6_000);
        const reaper = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.on('close', () => {
          clearTimeout(at);
          clearTimeout(reaper);
        });
      },
    });
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toMatch(/^found before the interruption: no-conflict VIOLATED, shortest path 3 steps: a conflict document [0-9A-F]{32} was made on \w+ for [0-9A-F]{32} \(no log written: explore again with --depth 3 to write it\)$/m);
    expect(res.stderr).toContain('interrupted (SIGINT)');
    expect(readdirSync(out)).toEqual([]);
  }, 40_000);
});

describe('Ctrl-C while run checks a design module by running again', () => {
  it('run --json of a design module, SIGINT during its run again: the run\'s JSON printed, reproducibilityUnchecked saying it was interrupted, exit 130 (the last notes: no JSON at all), and the recording written before it said by name (it said "no output file was left half-written" alone: an interruption QA pass)', async () => {
    const dir = mkdtempSync(join(tmp, 'again-'));
    const rec = join(dir, 'run.jsonl');
    writeFileSync(rec, 'previous\n');
    const mark = join(dir, 'loads');
    const design = join(dir, 'slowmark.ts');
    // Each load of the module (the run's, then the run again's, anew) adds a line to `mark`: the signal is sent once
    // the second load is there, inside the run again (200 scans of 20 ms: 4 s).
    writeFileSync(design, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(mark)}, 'loaded\\n');\nexport default { name: 'slowmark', description: 'each scan 20 ms', defaults: { scheduleEveryMs: 3600000 }, scheduleEveryMs: (c) => c.scheduleEveryMs, scan() { const t = Date.now() + 20; while (Date.now() < t); return { verdict: 'clean' }; } };\n`);
    const loads = () => (existsSync(mark) ? readFileSync(mark, 'utf8').split('\n').length - 1 : 0);
    const res = await spawnCli(['run', 'smsdom-storm', '--set', 'design=slowmark', '--design', `slowmark=${design}`, '--set', 'databases=1', '--set', 'docs=100', '--set', 'scanServers=first', '--json', '--record', rec], {
      whileRunning: (child) => {
        const poll = setInterval(() => {
          if (loads() < 2) return;
          clearInterval(poll);
          setTimeout(() => child.kill('SIGINT'), 300);
        }, 50);
        const reaper = setTimeout(() => child.kill('SIGKILL'), 40_000);
        child.on('close', () => {
          clearInterval(poll);
          clearTimeout(reaper);
        });
      },
    });
    expect(res.code, res.stderr).toBe(130);
    expect(loads()).toBe(2);
    expect(res.stderr).toContain('interrupted (SIGINT)');
    const out = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ quiescent: true, reproducibilityUnchecked: 'whether the run comes out alike when run again with its design modules loaded anew was not checked: interrupted (SIGINT) while running again' });
    expect(out['scans']).toMatchObject({ performed: 200 });
    // The recording was put in place before the run again: it is the run's, complete, and the message says so.
    expect(readFileSync(rec, 'utf8')).toMatch(/^\{"replog":1,/);
    expect(res.stderr).toContain(`replstorm: interrupted (SIGINT); this output was written before it, complete, in place of any file there before: ${rec}; no other output file was left half-written`);
    expect(tmpFiles(dir)).toEqual([]);
  }, 60_000);
});

describe('a signal while each piece of engine work is slow', () => {
  it('SIGTERM during a pass of 2,000 scans of 20 ms each (a slow design): handled within a second, not at the end of a 1,024-scan slice (20 s)', async () => {
    const dir = mkdtempSync(join(tmp, 'slow-'));
    const record = join(dir, 'out.jsonl');
    let killedAt = 0;
    const res = await spawnCli(
      ['run', 'smsdom-storm', '--set', 'design=slow', '--design', `slow=${join(TEST_DIR, 'designs', 'slow-scan.ts')}`, '--set', 'databases=1', '--set', 'docs=2000', '--set', 'scanServers=first', '--record', record],
      {
        whileRunning: (child) => {
          // Start-up, setup and the pass's first slices: the pass (40 s of scans) is well under way at 5 s.
          setTimeout(() => {
            killedAt = performance.now();
            child.kill('SIGTERM');
          }, 5_000);
        },
      },
    );
    const latency = performance.now() - killedAt;
    expect(res.code, res.stderr).toBe(143);
    expect(res.stderr).toContain('interrupted (SIGTERM)');
    expect(latency).toBeLessThan(1_000);
    expect(readdirSync(dir)).toEqual([]);
  }, 30_000);

  it('SIGINT while replay checks 11,000 derived lines of one instant made by slow scans: handled within a second (the catch-up loop held it 98 s)', async () => {
    const dir = mkdtempSync(join(tmp, 'held-'));
    const design = join(TEST_DIR, 'designs', 'slow-instant-scan.ts');
    const unid = (i: number) => i.toString(16).toUpperCase().padStart(32, '0');
    const lines = ['{"replog":1,"meta":{}}', '{"at":0,"type":"server","name":"A"}', '{"at":0,"type":"database","name":"d","replicas":["A"]}'];
    for (let i = 0; i < 11_000; i++) lines.push(`{"at":${1 + i},"type":"save","server":"A","db":"d","unid":"${unid(i)}","by":"user/u","set":{"$FILE":[{"name":"a.txt"}]}}`);
    lines.push('{"at":99999,"type":"scanner","server":"A","design":"slow"}', '{"at":100000,"type":"scan","server":"A","kind":"manual"}');
    lines.push(`{"at":200000,"type":"save","server":"A","db":"d","unid":"${unid(3)}","by":"user/v","set":{"Body":"y"}}`);
    const log = join(dir, 'in.jsonl');
    const rec = join(dir, 'rec.jsonl');
    writeFileSync(log, `${lines.join('\n')}\n`);
    const recorded = spawnSync(process.execPath, ['--import', 'tsx', MAIN_TS, 'replay', log, '--design', `slow=${design}`, '--record', rec], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(recorded.status, recorded.stderr).toBe(0);
    let killedAt = 0;
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN_TS, 'replay', rec, '--design', `slow=${design}`], { cwd: REPO_ROOT, env: { ...process.env, REPLSTORM_TEST_SLOW: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    setTimeout(() => {
      killedAt = performance.now();
      child.kill('SIGINT');
    }, 5_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    expect(performance.now() - killedAt).toBeLessThan(1_000);
  }, 60_000);
});


describe('a signal during a synchronous search (explore, verify, compare)', () => {
  // Node runs a signal's listener only between tasks, and a search is one task: SIGTERM and SIGHUP waited for the
  // whole search (minutes) before "interrupted". While a search holds no file on disk, they now end it where it is.
  it('SIGTERM during explore of a search of minutes: ended at once, no counterexample directory made, no temporary file', async () => {
    const parent = mkdtempSync(join(tmp, 'explore-term-'));
    const out = join(parent, 'made', 'here');
    let killed = false;
    const res = await spawnCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=2', '--depth', '40', '--max-states', '100000000', '--out', out], {
      whileRunning: (child) => {
        // Start-up is about a second; the search (depth 10 alone is 178,000 states) runs for minutes after it.
        setTimeout(() => (killed = child.kill('SIGTERM')), 5_000);
      },
    });
    expect(killed).toBe(true);
    // Ended by the signal itself (as a shell reports it: 143), or by the listener when it came before the search.
    expect(res.signal === 'SIGTERM' || res.code === 143, `exit ${res.code}, signal ${res.signal}, stderr ${res.stderr}`).toBe(true);
    expect(res.stdout).toBe('');
    expect(readdirSync(parent)).toEqual([]);
  }, 60_000);

  it('SIGTERM during verify of ten million runs: ended at once, nothing printed', async () => {
    let killed = false;
    const res = await spawnCli(['verify', 'noop', '--runs', '10000000'], {
      whileRunning: (child) => {
        setTimeout(() => (killed = child.kill('SIGTERM')), 5_000);
      },
    });
    expect(killed).toBe(true);
    expect(res.signal === 'SIGTERM' || res.code === 143, `exit ${res.code}, signal ${res.signal}, stderr ${res.stderr}`).toBe(true);
    expect(res.stdout).toBe('');
  }, 60_000);
});

describe('standard output that cannot be written', () => {
  it('a full disk under --json > file: exit 2 saying so, not 0 with the output cut short (issue 7: exit codes say what happened)', async () => {
    // /dev/full: every write fails with ENOSPC, as a redirect to a file on a full disk does.
    const res = await new Promise<{ code: number | null; stderr: string }>((resolvePromise, reject) => {
      const out = openSync('/dev/full', 'w');
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN_TS, 'replay', EXAMPLE, '--json'], { cwd: REPO_ROOT, stdio: ['ignore', out, 'pipe'] });
      closeSync(out);
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolvePromise({ code, stderr }));
    });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toBe('replstorm: standard output: no space left on the device (the output is incomplete)\n');
  });
});

describe('standard error that cannot be written', () => {
  /** The CLI with standard error closed by its reader before anything is written (`2>&1 | true`), or on /dev/full. */
  function exitCodeWithStderr(to: 'closed pipe' | '/dev/full', args: readonly string[]): Promise<number | null> {
    return new Promise((resolvePromise, reject) => {
      const full = to === '/dev/full' ? openSync('/dev/full', 'w') : undefined;
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN_TS, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', full ?? 'pipe'] });
      if (full !== undefined) closeSync(full);
      else child.stderr!.destroy();
      child.on('error', reject);
      child.on('close', (code) => resolvePromise(code));
    });
  }

  it.each(['closed pipe', '/dev/full'] as const)('%s: a refused log still exits 2, not 1 (the write error went uncaught: exit 1 reads as a failed check)', async (to) => {
    expect(await exitCodeWithStderr(to, ['replay', join(tmp, 'no-such-log.jsonl')])).toBe(2);
  });
});
