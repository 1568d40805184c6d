import type { Browser, BrowserContext, Page } from 'playwright-core';
import taskcluster from 'taskcluster-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDefinition } from '../fixtures/worker-types.js';
import { type ApiHarness, startApiHarness } from '../helpers/api-harness.js';
import { engines } from '../helpers/databases.js';
import { type AdminApp, startAdminApp } from './admin-app.js';
import { type BuiltUi, buildUi, launchChromium, screenshot, VIEWPORT } from './browser.js';

// One engine is enough for the browser: the store tests cover PostgreSQL. PGlite always comes first.
const [pglite] = engines();
const engine = pglite as NonNullable<typeof pglite>;
const WAIT = { timeout: 15_000 };

/**
 * The admin UI in Debian's Chromium against the real server app (API, admin endpoints, UI plugin) whose EC2 is
 * the simulator. The tests run in order, as an operator would: sign in, create, fail validation, edit, delete.
 */
describe('the admin UI in a real browser', () => {
  let h: ApiHarness;
  let server: AdminApp;
  let ui: BuiltUi;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const field = (pointer: string) => page.locator(`#field${pointer.replace(/\//g, '-')}`);
  const errorsOf = (pointer: string) => page.locator(`#field${pointer.replace(/\//g, '-')}-errors`);

  beforeAll(async () => {
    [ui, h, browser] = await Promise.all([buildUi(), startApiHarness(engine), launchChromium()]);
    server = await startAdminApp(h.runtime, { root: ui.root, sandboxCredentials: h.clients.root });
    context = await browser.newContext({ viewport: VIEWPORT, baseURL: server.url });
    page = await context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
    await ui?.dispose();
  });

  it('shows the overview without signing in, with the loop not started yet', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Worker types' }).waitFor();
    // The status comes from a request of its own, which may answer after the heading shows.
    await page.getByText('No iteration has finished yet').waitFor(WAIT);
    await expect(page.getByRole('button', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await page.getByText('0 of 0 worker types').waitFor();
    await screenshot(page, 'overview-empty');
  });

  it("signs in with the sandbox's root credentials, kept in session storage only", async () => {
    await page.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in with Taskcluster credentials' });
    await dialog.getByLabel('Client ID').waitFor();
    await screenshot(page, 'sign-in');
    await dialog.getByRole('button', { name: /Use the sandbox’s root credentials/ }).click();
    await page.getByText('Signed in as root').waitFor();
    // A string: the test's TypeScript has no DOM types; this runs in the page.
    const stored = await page.evaluate<{ session: Record<string, string>; local: Record<string, string> }>(
      '({ session: { ...sessionStorage }, local: { ...localStorage } })',
    );
    expect(Object.values(stored.session).join()).toContain(h.clients.root.accessToken);
    expect(stored.local).toEqual({});
  });

  it('creates a worker type through the form, showing the API’s validation errors next to the bad fields', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Create worker type' })
      .click();
    await page.getByLabel('Worker type name').fill('ui-created');
    await field('/description').fill('Made in the browser');
    await field('/owner').fill('ui@example.com');
    await field('/maxCapacity').fill('lots');
    await field('/regions/0/region').fill('us-west-2');
    await field('/regions/0/launchSpec/ImageId').fill('ami-00000000000000bad');
    await field('/instanceTypes/0/instanceType').fill('c5.xlarge');
    await page.getByRole('button', { name: 'Create worker type' }).click();
    await errorsOf('/maxCapacity').waitFor(WAIT);
    await expect(errorsOf('/maxCapacity').textContent()).resolves.toBe('must be number');
    await expect(field('/maxCapacity').getAttribute('aria-invalid')).resolves.toBe('true');
    await screenshot(page, 'editor-validation-error');

    await field('/maxCapacity').fill('5');
    await page.getByRole('button', { name: 'Create worker type' }).click();
    await errorsOf('/regions/0/launchSpec/ImageId').waitFor(WAIT);
    await expect(errorsOf('/regions/0/launchSpec/ImageId').textContent()).resolves.toContain(
      'not found in us-west-2',
    );
    await expect(errorsOf('/maxCapacity').count()).resolves.toBe(0);

    await field('/regions/0/launchSpec/ImageId').fill(h.imageId('us-west-2'));
    await page.getByRole('button', { name: 'Create worker type' }).click();
    await page.getByRole('heading', { name: 'ui-created', exact: true }).waitFor(WAIT);
    expect(page.url()).toContain('#/worker-type/ui-created');
    expect(await h.runtime.workerTypes.get('ui-created')).toMatchObject({
      maxCapacity: 5,
      owner: 'ui@example.com',
    });
    await page.getByText('No instances.').waitFor();
    await screenshot(page, 'worker-type');
  });

  it('edits it, showing the diff before saving', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await field('/maxCapacity').waitFor();
    await field('/maxCapacity').fill('8');
    await field('/description').fill('Edited in the browser');
    await page.getByRole('button', { name: 'Review changes' }).click();
    const diff = page.getByRole('list', { name: 'Changes to save' });
    await diff.waitFor();
    const lines = await diff.getByRole('listitem').allTextContents();
    expect(lines).toHaveLength(2);
    expect(lines.find((line) => line.startsWith('/maxCapacity'))).toMatch(/5.*8/);
    expect(lines.find((line) => line.startsWith('/description'))).toContain('Edited in the browser');
    await screenshot(page, 'editor-diff');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'ui-created', exact: true }).waitFor(WAIT);
    await page.getByText('0 / 8').waitFor(WAIT);
    expect(await h.runtime.workerTypes.get('ui-created')).toMatchObject({
      maxCapacity: 8,
      description: 'Edited in the browser',
    });
  });

  it('clones it into a new worker type', async () => {
    await page.getByRole('link', { name: 'Clone' }).click();
    await page.getByRole('heading', { name: 'Clone ui-created' }).waitFor();
    await expect(field('/maxCapacity').inputValue()).resolves.toBe('8');
    await page.getByLabel('Worker type name').fill('ui-cloned');
    await page.getByRole('button', { name: 'Create worker type' }).click();
    await page.getByRole('heading', { name: 'ui-cloned' }).waitFor(WAIT);
    expect(await h.runtime.workerTypes.get('ui-cloned')).toMatchObject({ maxCapacity: 8 });
  });

  it('deletes it after the name is typed, saying what it will terminate', async () => {
    await page.goto('/#/worker-type/ui-created');
    await page.getByRole('heading', { name: 'ui-created', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete ui-created?' });
    await dialog.getByText(/terminate its 0 instances \(0 running, 0 pending\)/).waitFor();
    const confirm = dialog.getByRole('button', { name: 'Delete worker type' });
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await dialog.getByLabel(/Type ui-created to confirm/).fill('ui-create');
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await dialog.getByLabel(/Type ui-created to confirm/).fill('ui-created');
    await screenshot(page, 'delete-dialog');
    await confirm.click();
    await page.getByRole('heading', { name: 'Worker types' }).waitFor(WAIT);
    expect(await h.runtime.workerTypeStore.get('ui-created')).toBeUndefined();
  });

  it('signs in with temporary credentials and saves with them; lacking scopes, says so', async () => {
    const temporary = taskcluster.createTemporaryCredentials({
      start: new Date(Date.now() - 60_000),
      expiry: new Date(Date.now() + 3_600_000),
      scopes: ['aws-provisioner:manage-worker-type:ui-*'],
      credentials: h.clients.root,
    });
    const signInWith = async (credentials: {
      clientId: string;
      accessToken: string;
      certificate?: string;
    }) => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('banner').getByRole('button', { name: 'Sign in' }).click();
      const dialog = page.getByRole('dialog', { name: 'Sign in with Taskcluster credentials' });
      await dialog.getByLabel('Client ID').fill(credentials.clientId);
      await dialog.getByLabel('Access token').fill(credentials.accessToken);
      await dialog.getByLabel(/Certificate/).fill(credentials.certificate ?? '');
      await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText(`Signed in as ${credentials.clientId}`).waitFor();
    };
    const editMaxCapacity = async (value: string) => {
      await page.goto('/#/worker-type/ui-cloned/edit');
      await field('/maxCapacity').fill(value);
      await page.getByRole('button', { name: 'Review changes' }).click();
      await page.getByRole('button', { name: 'Save changes' }).click();
    };

    await signInWith(temporary);
    await expect(page.getByText('(temporary)').isVisible()).resolves.toBe(true);
    await editMaxCapacity('7');
    await page.getByRole('heading', { name: 'ui-cloned', exact: true }).waitFor(WAIT);
    expect(await h.runtime.workerTypes.get('ui-cloned')).toMatchObject({ maxCapacity: 7 });

    await signInWith(h.clients.limited);
    await editMaxCapacity('6');
    await page.getByText(/Sign in with credentials that may do this/).waitFor(WAIT);
    await expect(
      page.getByRole('alert').filter({ hasText: 'aws-provisioner:manage-worker-type:ui-cloned' }).count(),
    ).resolves.toBe(1);
    expect(await h.runtime.workerTypes.get('ui-cloned')).toMatchObject({ maxCapacity: 7 });
    await signInWith(h.clients.root);
  });

  it('shows a thousand worker types, rendering only the rows in view, sortable and filterable', async () => {
    await h.test.db.query(
      `INSERT INTO worker_types (name, definition, last_modified, revision)
       SELECT 'bulk-' || lpad(i::text, 4, '0'), $1::jsonb || jsonb_build_object('maxCapacity', i), now(), 1
       FROM generate_series(1, 1000) AS i`,
      [JSON.stringify(exampleDefinition())],
    );
    const iteration = await h.runtime.iterationStore.start(new Date());
    await h.runtime.iterationStore.saveSnapshots(
      iteration,
      Array.from({ length: 1000 }, (_, i) => ({
        workerType: `bulk-${String(i + 1).padStart(4, '0')}`,
        pendingTasks: (i * 37) % 1000,
        runningCapacity: i % 9,
        pendingCapacity: 1,
        requestedCapacity: 0,
        spendPerHour: 0.05 * (i % 9),
        spotCapacity: i % 9,
        launches: 0,
        launchFailures: 0,
        terminations: 0,
        blocked: i % 100 === 0 ? 'money cap reached' : null,
        decision: {},
      })),
      new Date(),
    );
    await h.runtime.iterationStore.finish(iteration, 'success', null, { errors: [] }, new Date());
    const count = (await server.admin.overview()).workerTypes.length;
    expect(count).toBeGreaterThan(1000);
    await page.goto('/');
    await page.getByText(new RegExp(`^${count} of ${count} worker types`)).waitFor(WAIT);
    await expect(page.getByText('Healthy').isVisible()).resolves.toBe(true);
    const rendered = await page.locator('tbody tr:not(.spacer)').count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(100);
    await screenshot(page, 'overview-1000');

    await page.getByRole('button', { name: 'Pending tasks' }).click();
    const firstRow = page.locator('tbody tr:not(.spacer)').first();
    await expect(firstRow.locator('td').nth(1).textContent()).resolves.toBe('999');
    await page.getByLabel('Filter by name').fill('bulk-0101');
    await page.getByText(new RegExp(`^1 of ${count} worker types`)).waitFor();
    await expect(page.locator('tbody tr').first().textContent()).resolves.toContain('money cap reached');
  });
});
