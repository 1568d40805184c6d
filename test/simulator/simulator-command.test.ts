import { Command } from 'commander';
import taskcluster from 'taskcluster-client';
import { describe, expect, it } from 'vitest';
import { registerSimulatorCommand, startSimulator } from '../../src/cli/simulator-command.js';
import { ScaledClock } from '../../src/clock/scaled-clock.js';

describe('aws-provisioner simulator', () => {
  it('registers the command with help for every option', () => {
    const program = new Command().name('aws-provisioner');
    const command = registerSimulatorCommand(program);
    expect(program.commands).toContain(command);
    const help = command.helpInformation();
    for (const option of [
      '--port <port>',
      '--scenario <file>',
      '--seed <seed>',
      '--speed <factor>',
      '--bootstrap <mode>',
    ]) {
      expect(help).toContain(option);
    }
    expect(command.options.every((option) => (option.description ?? '').length > 10)).toBe(true);
  });

  it('parses the options, serves on 127.0.0.1 and prints the URLs for the SDK and taskcluster-client', async () => {
    const program = new Command().name('aws-provisioner').exitOverride();
    let stop: (() => Promise<void>) | undefined;
    registerSimulatorCommand(program, (stopWorld) => {
      stop = stopWorld;
    });
    const logged: string[] = [];
    const original = console.log;
    console.log = (line: string) => logged.push(line);
    try {
      await program.parseAsync(
        ['simulator', '--port', '0', '--seed', '42', '--speed', '60', '--scenario', 'demo'],
        {
          from: 'user',
        },
      );
    } finally {
      console.log = original;
    }
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(logged.join('\n'))?.[1] ?? '';
    expect(url).not.toBe('');
    expect(logged.join('\n')).toContain(`AWS_ENDPOINT_URL_EC2=${url}`);
    expect(logged.join('\n')).toContain(`rootUrl=${url}`);
    expect(logged.join('\n')).toContain('seed 42, speed 60x');
    const queue = new taskcluster.Queue({ rootUrl: url, retries: 0 });
    expect((await queue.pendingTasks('aws-provisioner-v1', 'nobody')).pendingTasks).toBe(0);
    await stop?.();
  });

  it('rejects a bad port or speed', async () => {
    for (const args of [
      ['simulator', '--port', '70000'],
      ['simulator', '--speed', '0'],
      ['simulator', '--bootstrap', 'maybe'],
    ]) {
      const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
      registerSimulatorCommand(program);
      await expect(program.parseAsync(args, { from: 'user' })).rejects.toThrow();
    }
  });

  it('runs the world on an accelerated clock and overrides the seed and bootstrap mode', async () => {
    const world = await startSimulator({ port: 0, speed: 60, seed: 'cli', bootstrap: 'skip' }, () => {});
    try {
      expect(world.clock).toBeInstanceOf(ScaledClock);
      expect(world.ec2.scenario.seed).toBe('cli');
      expect(world.workers.settings.bootstrap).toBe('skip');
    } finally {
      await world.stop();
    }
  });
});
