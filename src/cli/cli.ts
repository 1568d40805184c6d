import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import { createLogger } from '../log/logger.js';
import { openDatabase, Runtime } from '../main.js';
import { listen, onShutdown } from '../server.js';

const program = new Command()
  .name('aws-provisioner')
  .description(
    'Keeps a pool of EC2 workers matched to the tasks waiting in a Taskcluster queue, at the lowest cost.\n' +
      'Configuration comes from environment variables (see the README); options below override some of them.',
  )
  .showHelpAfterError();

const portOption = () =>
  new Option('-p, --port <port>', 'HTTP port to listen on (overrides PORT)').argParser(parsePort);

program
  .command('server')
  .description('Run the HTTP API (and admin UI). Any number of replicas may share one PostgreSQL.')
  .addOption(portOption())
  .action(async (options: { port?: number }) => {
    const config = configFrom({ ...(options.port !== undefined ? { PORT: String(options.port) } : {}) });
    const logger = createLogger(config.logLevel);
    const runtime = new Runtime({ config, logger, db: await openDatabase(config, logger) });
    const app = await runtime.buildApiApp();
    await runtime.publisher.start();
    const url = await listen(app, config.port);
    logger.info({ event: 'server.listening', url, publicUrl: config.publicUrl });
    onShutdown(async () => {
      await app.close();
      await runtime.close();
    });
  });

program
  .command('migrate')
  .description('Apply pending database migrations, then exit (servers also migrate on start).')
  .action(async () => {
    const config = configFrom({});
    const logger = createLogger(config.logLevel);
    const db = await openDatabase(config, logger);
    await db.close();
  });

/** Reads the environment (with command-line overrides); a bad configuration lists every problem and exits 2. */
export function configFrom(overrides: Record<string, string>) {
  try {
    return loadConfig({ ...process.env, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  return port;
}

await program.parseAsync(process.argv);
