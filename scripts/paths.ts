// Where test support writes, shared by the test workers (counterexample.ts) and vitest's own process (totalsReporter.ts,
// which must not import vitest's test API): one definition of each path.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where property tests write their counterexample logs (git-ignored). */
export const COUNTEREXAMPLES_DIR = join(REPO_ROOT, 'counterexamples');
