import { expect, it } from 'vitest';
import { runSeeded } from './index.js';

it('determinism: 1,000 seeded scenarios run twice give the same digest, summary and PRNG state', () => {
  for (let i = 1; i <= 1000; i++) expect(runSeeded(i), `seed ${i}`).toEqual(runSeeded(i));
});
