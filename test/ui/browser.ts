import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';

export const CHROMIUM = '/usr/bin/chromium';
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOTS = join(REPOSITORY, 'test-results', 'screenshots');

/** A laptop screen. */
export const VIEWPORT = { width: 1366, height: 768 };

/**
 * Debian's Chromium, headless. Missing, the browser tests fail (in CI and elsewhere) saying how to install
 * it: they are never skipped.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${CHROMIUM}${process.env.CI ? ' (CI is set)' : ''}: ` +
        'install it with `apt-get install -y chromium` (after `apt-get update`).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags Chromium keeps calling home, which this network refuses.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

export interface BuiltUi {
  root: string;
  dispose(): Promise<void>;
}

/** Builds the UI with the repository's Vite configuration into a temporary directory (about a second). */
export async function buildUi(): Promise<BuiltUi> {
  const root = await mkdtemp(join(tmpdir(), 'aws-provisioner-ui-'));
  await build({
    configFile: join(REPOSITORY, 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir: root, emptyOutDir: true },
  });
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

/** Writes a full-page screenshot for reviewers (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
