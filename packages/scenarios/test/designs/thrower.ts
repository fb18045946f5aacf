// Test fixture: a design whose code always throws (verify reports design-runs violated, and the runs it crashed).
import { defineDesign } from '../../src/index.js';

export default defineDesign<Record<string, never>>({
  name: 'thrower',
  description: 'throws',
  defaults: {},
  scan: () => {
    throw new Error('boom');
  },
});
