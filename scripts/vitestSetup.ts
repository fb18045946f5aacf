// vitest setupFiles (every project): the property seed, see propertySeed.ts.
import { configureFastCheckSeed } from './propertySeed.js';

configureFastCheckSeed();
