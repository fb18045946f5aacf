import type { InputEvent } from '@replstorm/core';
import type { ParamSpecs } from './params.js';
import { SMSDOM_STORM_PARAMS, smsdomStormEventStream, type ScenarioContext } from './smsdomStorm.js';

/** A built-in scenario: a seeded generator of the input events of the log format, so every run can be recorded. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly params: ParamSpecs;
  /** The input events, in `at` order, made as they are read. */
  events(settings?: Readonly<Record<string, string | number | boolean>>, context?: ScenarioContext): Iterable<InputEvent>;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'smsdom-storm',
    description: 'the seed: SMSDOM with Secure Scanning Optimization in a Domino cluster (100 databases x 100 documents with attachments by default)',
    params: SMSDOM_STORM_PARAMS,
    events: smsdomStormEventStream,
  },
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
