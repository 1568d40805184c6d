import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultImageId } from '../../src/simulator/ec2/scenario.js';
import { engines } from '../helpers/databases.js';
import { type LoopHarness, startLoopHarness } from '../helpers/loop-harness.js';
import { type AdminApp, startAdminApp } from './admin-app.js';
import { type BuiltUi, buildUi, launchChromium, screenshot, VIEWPORT } from './browser.js';

// One engine is enough for the browser: the store tests cover PostgreSQL. PGlite always comes first.
const [pglite] = engines();
const engine = pglite as NonNullable<typeof pglite>;
const ROOT = { clientId: 'root', accessToken: 'sandbox-root-access-token', scopes: ['*'] };
/** Longer than the overview's refresh interval: the page must update by itself. */
const REFRESHED = { timeout: 15_000 };

/**
 * The sandbox as a person sees it: the real provisioning loop against the simulated world (EC2, queue,
 * workers) in virtual time, the UI in Chromium. Iterations run when the test says; the page is never reloaded.
 */
describe('the admin UI while the sandbox provisions', () => {
  let h: LoopHarness;
  let server: AdminApp;
  let ui: BuiltUi;
  let browser: Browser;
  let page: Page;
  const row = () => page.locator('tbody tr', { hasText: 'sandbox-builder' });
  const COLUMNS = [
    'name',
    'pendingTasks',
    'running',
    'pending',
    'requested',
    'bar',
    'min',
    'max',
    'spend',
    'spot',
  ];
  const cell = (column: string) => row().locator('td').nth(COLUMNS.indexOf(column));

  beforeAll(async () => {
    [ui, h, browser] = await Promise.all([
      buildUi(),
      startLoopHarness(engine, { env: { STATIC_CLIENTS: JSON.stringify([ROOT]) } }),
      launchChromium(),
    ]);
    const { scopes: _scopes, ...credentials } = ROOT;
    server = await startAdminApp(h.runtime, { root: ui.root, sandboxCredentials: credentials });
    page = await (await browser.newContext({ viewport: VIEWPORT, baseURL: server.url })).newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
    await ui?.dispose();
  });

  it('creates a worker type, then shows capacity appear as the loop provisions for queued tasks', async () => {
    await page.goto('/#/create');
    await page.getByRole('button', { name: 'Sign in' }).first().click();
    await page.getByRole('button', { name: /Use the sandbox’s root credentials/ }).click();
    await page.getByText('Signed in as root').waitFor();
    await page.getByLabel('Worker type name').fill('sandbox-builder');
    await page.locator('#field-owner').fill('sandbox@example.com');
    await page.locator('#field-regions-0-region').fill('us-west-2');
    await page.locator('#field-regions-0-launchSpec-ImageId').fill(defaultImageId('us-west-2'));
    await page.locator('#field-instanceTypes-0-instanceType').fill('c5.large');
    await page.getByRole('button', { name: 'Create worker type' }).click();
    await page.getByRole('heading', { name: 'sandbox-builder', exact: true }).waitFor();

    await page.getByRole('link', { name: 'Overview' }).click();
    await row().waitFor();
    expect(await cell('pendingTasks').textContent()).toBe('–');

    h.addTasks('sandbox-builder', 3);
    await h.iterate(1);
    expect(h.liveInstances('sandbox-builder')).toHaveLength(3);
    await page.getByText('Healthy').waitFor(REFRESHED);
    // A snapshot holds what the iteration saw before it launched: demand now, capacity from the next one on.
    await expect.poll(() => cell('pendingTasks').textContent(), REFRESHED).toBe('3');
    expect(await cell('running').textContent()).toBe('0');

    await h.iterate(2);
    await expect.poll(() => cell('running').textContent(), REFRESHED).toBe('3');
    expect(await cell('pendingTasks').textContent()).toBe('0');
    expect(await cell('spot').textContent()).toBe('100%');
    expect(await cell('spend').textContent()).not.toBe('$0.00');
    await screenshot(page, 'sandbox-overview-provisioned');

    await row().getByRole('link', { name: 'sandbox-builder' }).click();
    await page.getByText('3 running or pending, 3 observed').waitFor(REFRESHED);
    await page.getByText(/^3 points until/).waitFor(REFRESHED);
    expect(await page.locator('.chart canvas').count()).toBe(1);
    await screenshot(page, 'sandbox-worker-type');

    h.addTasks('sandbox-builder', 2);
    await page.getByRole('button', { name: 'Preview the next iteration' }).click();
    const launches = page.getByRole('table', { name: 'Planned launches' });
    await launches.waitFor(REFRESHED);
    expect(await launches.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await launches.locator('tbody tr').first().textContent()).toContain('c5.large');
    await screenshot(page, 'sandbox-plan-preview');
  }, 60_000);
});
