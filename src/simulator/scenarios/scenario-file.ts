/** Reading a world scenario for `--scenario`: a JSON file, or the name of a built-in scenario. */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { WorldScenarioInput } from '../simulated-world.js';
import { demoScenario } from './demo-scenario.js';

export const BUILT_IN_SCENARIOS: Record<string, () => WorldScenarioInput> = {
  demo: () => demoScenario(),
  /** The default world: five regions, no load. */
  empty: () => ({}),
};

/**
 * A built-in scenario by name, or a JSON file. Paths inside a file (`load[].path`, `prices.tracePath`)
 * are relative to the file.
 */
export async function loadScenario(nameOrPath: string): Promise<WorldScenarioInput> {
  const builtIn = BUILT_IN_SCENARIOS[nameOrPath];
  if (builtIn !== undefined) return builtIn();
  const parsed: unknown = JSON.parse(await readFile(nameOrPath, 'utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError(`${nameOrPath}: a scenario file holds one JSON object`);
  }
  const scenario = parsed as WorldScenarioInput;
  const base = dirname(resolve(nameOrPath));
  const tracePath = scenario.prices?.tracePath;
  return {
    ...scenario,
    ...(tracePath === undefined
      ? {}
      : { prices: { ...scenario.prices, tracePath: resolve(base, tracePath) } }),
    ...(Array.isArray(scenario.load)
      ? {
          load: scenario.load.map((spec) =>
            spec?.kind === 'trace' && typeof spec.path === 'string'
              ? { ...spec, path: resolve(base, spec.path) }
              : spec,
          ),
        }
      : {}),
  };
}
