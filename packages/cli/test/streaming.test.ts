import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBigLog } from './bigLog.js';

// Streaming for real: a log several times larger than the heap replays under a 64 MB heap (the long version, hundreds
// of MB, is streaming.long.test.ts).
const dir = mkdtempSync(join(tmpdir(), 'replstorm-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = join(import.meta.dirname, '..', '..', '..');

export function replayUnderSmallHeap(file: string): { status: number | null; summary: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', join(root, 'packages/cli/src/main.ts'), 'replay', '--json', file], { encoding: 'utf8', cwd: root });
  return { status: r.status, summary: r.status === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : {}, stderr: r.stderr };
}

describe('replay streams its input', () => {
  it('event-log.md File: a 55 MB recording (inputs and derived events) replays and is checked under --max-old-space-size=64', () => {
    // A recording is what operators replay: 99% derived lines, each matched against the engine's event. Unparsed lines
    // wait in a queue until the engine derives their event; the queue must stay short, not grow with the file.
    const file = join(dir, 'recording.jsonl');
    const rec = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'packages/cli/src/main.ts'), 'run', 'smsdom-storm', '--set', 'databases=40', '--set', 'scanServers=first', '--set', 'horizonMs=86399999', '--record', file, '--json'],
      { encoding: 'utf8', cwd: root },
    );
    expect(rec.status).toBe(0);
    const digest = (JSON.parse(rec.stdout) as { digest: string }).digest;
    expect(statSync(file).size).toBeGreaterThan(50e6);
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', join(root, 'packages/cli/src/main.ts'), 'replay', file], { encoding: 'utf8', cwd: root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/recording\s+297,048 derived events checked: the engine agrees/);
    expect(r.stdout).toContain(digest);
  });

  it('event-log.md File: a 37 MB log whose every derived event comes from applying an input (one server, nothing running between inputs) replays under --max-old-space-size=64 (its derived events were all kept, waiting for a recording\'s lines: a hardening QA pass)', () => {
    const file = join(dir, 'one-server.jsonl');
    const lines = ['{"replog":1,"meta":{}}', '{"at":0,"type":"server","name":"A"}', '{"at":0,"type":"database","name":"d","replicas":["A"],"limitRevisions":10}'];
    for (let i = 0; i < 300_000; i++) lines.push(`{"at":${i + 1},"type":"save","server":"A","db":"d","unid":"${'0'.repeat(32)}","by":"user/u","set":{"Body":"x"}}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(statSync(file).size).toBeGreaterThan(35e6);
    const r = replayUnderSmallHeap(file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect((r.summary['revisions'] as { total: number }).total).toBe(300_000);
  });

  it('event-log.md File: a 30 MB line under --max-old-space-size=64 is refused at its line and column, exit 2, saying why the limit is lower than a log\'s 64 MiB (V8 aborted, exit 134 with a native stack trace: a hardening QA pass)', () => {
    const file = join(dir, 'long-line.jsonl');
    writeFileSync(file, `{"replog":1,"meta":{}}\n{"at":0,"type":"server","name":"${'A'.repeat(30_000_000)}"}\n`);
    const r = replayUnderSmallHeap(file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: line is longer than [\\d,]+ bytes, the most a line may hold with this process's heap of \\d+ MB \\(a log allows 67,108,864; a larger --max-old-space-size reads longer lines\\)`));
    expect(r.stderr).not.toMatch(/FATAL|at .*\.js:\d+/);
  });

  it('event-log.md File: a 150 MB log over 2,000 documents replays under --max-old-space-size=64', async () => {
    const file = join(dir, 'big.jsonl');
    const events = await writeBigLog(file, 150);
    expect(statSync(file).size).toBeGreaterThan(150e6);
    const r = replayUnderSmallHeap(file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect((r.summary['revisions'] as { total: number }).total).toBe(events);
    expect(r.summary['converged']).toBe(true);
  });
});
