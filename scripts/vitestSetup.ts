// vitest setupFiles (every project): the property seed, see propertySeed.ts.
import { expect } from 'vitest';
import { configureFastCheck } from './propertySeed.js';

configureFastCheck(undefined, () => expect.getState().currentTestName);
