/**
 * The whole world at run time, under `/simulator/v1/world/`:
 *   GET  summary               benchmark statistics (tasks, waits, instances, idle fraction, cost)
 *   GET  usage                 per-instance busy/idle time and cost
 *   POST load                  starts a steady or burst load generator (a load spec, times from now)
 */
import { ControlRequestError, controlHandler, readJsonObject } from './control-json.js';
import type { SimulatorRequestHandler } from './ec2/ec2-http-handler.js';
import { validateLoadSpecs } from './load/load-spec.js';
import type { SimulatedWorld } from './simulated-world.js';

export const WORLD_CONTROL_PREFIX = '/simulator/v1/world/';

export function createWorldControlHandler(world: SimulatedWorld): SimulatorRequestHandler {
  return controlHandler(WORLD_CONTROL_PREFIX, {
    'GET summary': () => world.summary(),
    'GET usage': () => ({ instances: world.workers.usages() }),
    'POST load': async (req) => {
      const [spec] = validateLoadSpecs([await readJsonObject(req)]);
      // Reading files named by a network request is not this API's business.
      if (spec === undefined || spec.kind === 'trace') {
        throw new ControlRequestError(400, 'Only steady and burst loads can be started over HTTP');
      }
      world.addLoad(spec);
      return { load: spec, index: world.loads.length - 1 };
    },
  });
}
