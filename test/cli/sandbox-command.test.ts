import { Command } from 'commander';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerSandboxCommand } from '../../src/cli/sandbox-command.js';
import { listen, localUrl } from '../../src/server.js';

function hostDefault(): unknown {
  const program = new Command();
  registerSandboxCommand(program);
  const sandbox = program.commands.find((command) => command.name() === 'sandbox');
  return sandbox?.options.find((option) => option.long === '--host')?.defaultValue;
}

describe('sandbox command', () => {
  const saved = process.env.HOST;
  afterEach(() => {
    if (saved === undefined) delete process.env.HOST;
    else process.env.HOST = saved;
  });

  it('listens on loopback unless told otherwise, since its UI hands out root credentials', () => {
    delete process.env.HOST;
    expect(hostDefault()).toBe('127.0.0.1');
    process.env.HOST = '0.0.0.0';
    expect(hostDefault()).toBe('0.0.0.0');
  });

  it('binds the address it is given and reports a URL for it', async () => {
    const app = Fastify();
    try {
      const url = await listen(app, 0, '127.0.0.1');
      const address = app.server.address();
      expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await app.close();
    }
  });

  it.each([
    ['127.0.0.1', 'http://127.0.0.1:5557'],
    ['10.0.0.5', 'http://10.0.0.5:5557'],
    ['0.0.0.0', 'http://localhost:5557'],
    ['::', 'http://localhost:5557'],
    ['::1', 'http://[::1]:5557'],
  ])('its workers and banner reach a sandbox listening on %s at %s', (host, url) => {
    expect(localUrl(host, 5557)).toBe(url);
  });
});
