/**
 * Hosts the scale benchmark's world in a process of its own, so the benchmark's CPU figures are the loop's
 * alone. Told the fleet over IPC, it answers with the world's URL, moves its time when told, and serves
 * until told to stop.
 */
import type { VirtualClock } from '../../src/clock/virtual-clock.js';
import type { SimulatedWorld } from '../../src/simulator/simulated-world.js';
import { type ScaleFleetSpec, scaleWorld } from './scale-fleet.js';

let world: SimulatedWorld | undefined;

process.on('message', async (message: { start?: ScaleFleetSpec; advanceMs?: number; stop?: true }) => {
  try {
    if (message.start) {
      world = await scaleWorld(message.start);
      const server = await world.start();
      process.send?.({ url: server.url, instances: world.ec2.listInstances().length });
    } else if (message.advanceMs !== undefined && world) {
      // Keeps the world's time in step with the loop's between iterations (launched instances boot).
      await (world.clock as VirtualClock).advanceBy(message.advanceMs);
      process.send?.({ advanced: world.clock.now() });
    } else if (message.stop) {
      await world?.stop();
      process.exit(0);
    }
  } catch (error) {
    process.send?.({ error: (error as Error).stack ?? String(error) });
  }
});
