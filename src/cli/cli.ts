import { Command } from 'commander';
import { DataDirInUseError } from '../store/data-dir-lock.js';
import { registerSandboxCommand } from './sandbox-command.js';
import { registerServiceCommands } from './service-commands.js';
import { registerSimulatorCommand } from './simulator-command.js';

const program = new Command()
  .name('aws-provisioner')
  .description(
    'Keeps a pool of EC2 workers matched to the tasks waiting in a Taskcluster queue, at the lowest cost.\n' +
      'Configuration comes from environment variables (see the README); options override some of them.',
  )
  .showHelpAfterError();

registerServiceCommands(program);
registerSandboxCommand(program);
registerSimulatorCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // An expected refusal at start says what to do; a stack trace would only bury it.
  if (!(error instanceof DataDirInUseError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
