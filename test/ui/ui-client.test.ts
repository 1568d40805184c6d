import { afterEach, describe, expect, it, vi } from 'vitest';

describe('the admin UI client', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('fetches the API reference again after a failed fetch, and only once after a good one', async () => {
    const statuses = [502, 200, 200];
    const fetched: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      fetched.push(url);
      const status = statuses.shift() ?? 200;
      return new Response(status === 200 ? JSON.stringify({ entries: [] }) : 'bad gateway', { status });
    });
    const { loadReference } = await import('../../src/ui/api/client.js');
    await expect(loadReference()).rejects.toThrow('Could not load the API reference (502)');
    expect(await loadReference()).toEqual({ entries: [] });
    expect(await loadReference()).toEqual({ entries: [] });
    expect(fetched).toEqual([
      '/api/aws-provisioner/v1/api-reference',
      '/api/aws-provisioner/v1/api-reference',
    ]);
  });
});
