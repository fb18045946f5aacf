import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { writeBigLog } from './bigLog.js';
import { replayUnderSmallHeap } from './streaming.test.js';

const dir = mkdtempSync(join(tmpdir(), 'replstorm-stream-long-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('event-log.md File: a 600 MB log over 3,000 documents replays under --max-old-space-size=64', async () => {
  const file = join(dir, 'huge.jsonl');
  const events = await writeBigLog(file, 600, 3_000);
  const r = replayUnderSmallHeap(file);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect((r.summary['revisions'] as { total: number }).total).toBe(events);
});
