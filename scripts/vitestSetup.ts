// vitest setupFiles (every project): the property seed, see propertySeed.ts.
import { expect } from 'vitest';
import { configureFastCheckSeed } from './propertySeed.js';

configureFastCheckSeed(undefined, () => expect.getState().currentTestName);
