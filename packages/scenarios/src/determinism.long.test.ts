import { expect, it } from 'vitest';
import { advanceIndependence, runSeeded } from './index.js';

it('determinism: 1,000 seeded scenarios run twice give the same digest, summary and PRNG state', () => {
  for (let i = 1; i <= 1000; i++) expect(runSeeded(i), `seed ${i}`).toEqual(runSeeded(i));
});

it('Time and order: 1,000 seeded scenarios give the same derived events when run to every derived event\'s time (as a replay of their recording is)', () => {
  for (let i = 1; i <= 1000; i++) expect(advanceIndependence(i)).toBeUndefined();
});
