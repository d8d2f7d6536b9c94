import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { loadConfig } from '../../runtime/src/kernel/config.js';
import { type RunningServer, type StartOptions, startServer } from '../../runtime/src/server.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const STUDIO = path.join(ROOT, 'studio');
export const SCREENSHOTS = path.join(ROOT, 'docs', 'studio');

/**
 * Builds the studio when `studio/dist` is missing or older than its sources (a few seconds), with
 * the same script `npm start` runs; strict, so a failed build fails the tests.
 */
export function ensureStudioBuilt(): void {
  execFileSync(process.execPath, [path.join(STUDIO, 'scripts', 'build-if-stale.mjs'), '--strict'], {
    stdio: 'inherit',
  });
}

export interface StudioHarness {
  server: RunningServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  url: string;
  /** Saves a screenshot of the page into docs/studio/<name>.png. */
  screenshot(name: string, page?: Page): Promise<void>;
  /** On a failed test: the page's screenshot and text into the temp dir, for the failure message. */
  debugSnapshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** How to launch Chromium, beyond the harness's defaults. */
export interface BrowserOptions {
  /** Extra command-line switches (e.g. a fake microphone). */
  args?: string[];
}

/**
 * The real VRM (in-process, PGlite in a temp dir, port 0) serving the built studio, and a
 * headless Chromium page at laptop width.
 */
export async function startStudio(
  env: Record<string, string> = {},
  options: Omit<StartOptions, 'config'> = {},
  browserOptions: BrowserOptions = {},
): Promise<StudioHarness> {
  ensureStudioBuilt();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vrm-studio-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    VRM_DATA_DIR: dataDir,
    VRM_PASSWORD_COST: '10',
    VRM_LOG_LEVEL: 'silent',
    ...env,
  });
  const server = await startServer({ ...options, config });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      ...(browserOptions.args ?? []),
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.url });
  const page = await context.newPage();
  context.setDefaultTimeout(15_000);
  const browserErrors: string[] = [];
  page.on('pageerror', (error) => browserErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error')
      browserErrors.push(`console: ${message.text()} (${message.location().url})`);
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    server,
    browser,
    context,
    page,
    url: server.url,
    screenshot: async (name, target = page) => {
      await target.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
    },
    debugSnapshot: async (name) => {
      const file = path.join(tmpdir(), `vrm-studio-failure-${name.replace(/\W+/g, '-').slice(0, 60)}.png`);
      await page.screenshot({ path: file }).catch(() => undefined);
      const text = await page
        .locator('body')
        .textContent()
        .catch(() => '');
      console.error(
        `studio failure at ${page.url()}; screenshot ${file}\n${(text ?? '').slice(0, 2000)}\n${browserErrors.join('\n')}`,
      );
    },
    close: async () => {
      await browser.close().catch(() => undefined);
      await server.stop(1000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs up through the studio's form and waits for the agents screen. */
export async function signUp(page: Page, email: string, organization: string): Promise<void> {
  await page.goto('/sign-up');
  await page.getByLabel('Your name').fill('Ada Builder');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByLabel('Organization').fill(organization);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Agents', exact: true }).waitFor();
}

/** Replaces the editor's whole text, as a paste would. */
export async function setEditorText(page: Page, text: string): Promise<void> {
  const content = page.locator('.cm-content');
  await content.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}
