// Test fixture: a design whose decision is refused (a verdict no design may return); its code throws nothing.
import { defineDesign } from '@replstorm/scenarios';
export default defineDesign<{ scheduleEveryMs: number }>({
  name: 'maybe',
  description: 'answers "maybe"',
  defaults: { scheduleEveryMs: 0 },
  scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),
  scan: () => ({ verdict: 'maybe' }) as never,
});
