/**
 * `aws-provisioner simulator`: the simulated EC2 and Taskcluster queue (with workers and load) alone on
 * 127.0.0.1, for a provisioner (or the AWS CLI, or a test) running elsewhere to talk to.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type Clock, RealClock } from '../clock/clock.js';
import { ScaledClock } from '../clock/scaled-clock.js';
import { onShutdown as onSignals } from '../server.js';
import { loadScenario } from '../simulator/scenarios/scenario-file.js';
import { SimulatedWorld } from '../simulator/simulated-world.js';
import type { BootstrapMode } from '../simulator/workers/worker-settings.js';

export const DEFAULT_SIMULATOR_PORT = 5558;

export interface SimulatorCommandOptions {
  port: number;
  /** A scenario file, or a built-in scenario's name (`demo`, `empty`). */
  scenario?: string;
  seed?: number | string;
  /** Simulated time runs this many times faster than real time. */
  speed: number;
  bootstrap?: BootstrapMode;
}

/** Builds and serves the world; `print` gets the lines telling clients where to connect. */
export async function startSimulator(
  options: SimulatorCommandOptions,
  print: (line: string) => void = console.log,
): Promise<SimulatedWorld> {
  const clock: Clock = options.speed === 1 ? new RealClock() : new ScaledClock({ factor: options.speed });
  const scenario = options.scenario === undefined ? {} : await loadScenario(options.scenario);
  const world = await SimulatedWorld.create({
    clock,
    scenario: {
      ...scenario,
      ...(options.bootstrap === undefined
        ? {}
        : { workers: { ...scenario.workers, bootstrap: options.bootstrap } }),
    },
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  const { url } = await world.start(options.port);
  print(`Simulated EC2 and Taskcluster queue listening on ${url}`);
  print(`  AWS SDK / AWS CLI:  AWS_ENDPOINT_URL_EC2=${url}  (every region; any credentials)`);
  print(`  taskcluster-client: rootUrl=${url}`);
  print(`  control API:        ${url}/simulator/v1/world/summary, ${url}/simulator/v1/ec2/events, ...`);
  print(
    `  scenario ${options.scenario ?? 'empty'}, seed ${String(options.seed ?? scenario.seed ?? 1)}, ` +
      `speed ${options.speed}x, workers bootstrap: ${world.workers.settings.bootstrap}`,
  );
  return world;
}

/**
 * Registers `simulator` on the main program. `onShutdown` receives the world's stop function (default:
 * run it on SIGINT/SIGTERM, then exit).
 */
export function registerSimulatorCommand(
  program: Command,
  onShutdown: (stop: () => Promise<void>) => void = onSignals,
): Command {
  return program
    .command('simulator')
    .description(
      'Run the simulated EC2 API and Taskcluster queue (with simulated workers and load) on 127.0.0.1, ' +
        'for a provisioner, the AWS SDK or taskcluster-client to talk to.',
    )
    .addOption(
      new Option('-p, --port <port>', 'HTTP port to listen on (0: any free port)')
        .argParser(parsePort)
        .default(DEFAULT_SIMULATOR_PORT),
    )
    .addOption(
      new Option(
        '--scenario <file>',
        'world scenario: a JSON file (EC2 scenario plus "workers" and "load") or a built-in name: demo, empty',
      ),
    )
    .addOption(
      new Option('--seed <seed>', "seed of every random choice (default: the scenario's)").argParser(
        parseSeed,
      ),
    )
    .addOption(
      new Option('--speed <factor>', 'simulated time runs this many times faster than real time')
        .argParser(parseSpeed)
        .default(1),
    )
    .addOption(
      new Option(
        '--bootstrap <mode>',
        'workers call getSecret/instanceStarted (http) or start at once (skip)',
      ).choices(['http', 'skip']),
    )
    .action(async (options: SimulatorCommandOptions) => {
      const world = await startSimulator(options);
      onShutdown(() => world.stop());
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  }
  return port;
}

function parseSpeed(value: string): number {
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed <= 0) throw new InvalidArgumentError('must be a positive number');
  return speed;
}

/** Digits are a number seed (as in a scenario file's `"seed": 42`), anything else a string seed. */
function parseSeed(value: string): number | string {
  return /^\d{1,9}$/.test(value) ? Number(value) : value;
}
