import { existsSync } from 'node:fs';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

// Where @sparticuz/chromium has no binary (it ships Linux x64 only), an installed Chromium or Chrome.
const INSTALLED = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Headless Chromium for the browser tests: the binary the npm package `@sparticuz/chromium` ships,
 * so `npm ci` is all a machine needs; `CHROMIUM_PATH` names another one.
 */
export const launchBrowser = async (): Promise<Browser> => {
  const shipped = process.platform === 'linux' && process.arch === 'x64';
  const executablePath =
    process.env.CHROMIUM_PATH ?? (shipped ? await sparticuz.executablePath() : INSTALLED.find((path) => existsSync(path)));
  // No skipping: without a browser these checks have not run, and that must show as a failure.
  if (!executablePath) throw new Error('No Chromium: set CHROMIUM_PATH (@sparticuz/chromium ships Linux x64 only)');
  // Lambda's `--single-process` ends the browser with its last page; tests open one page after another.
  const args = shipped ? sparticuz.args.filter((arg) => arg !== '--single-process') : ['--no-sandbox'];
  return chromium.launch({ executablePath, args, headless: true });
};

/**
 * One browser for the test file (launched before its tests, closed after) and a fresh context for
 * each page, closed after each test: `open(link)` goes to the link and expects its status.
 */
export const browserPages = () => {
  let browser: Browser;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });

  const newPage = async (options: BrowserContextOptions = {}): Promise<Page> => {
    context = await browser.newContext({ viewport: { width: 1000, height: 900 }, ...options });
    return context.newPage();
  };

  const open = async (link: string, { status = 200, ...options }: BrowserContextOptions & { status?: number } = {}) => {
    const page = await newPage(options);
    const response = await page.goto(link);
    expect(response?.status()).toBe(status);
    return page;
  };

  return { newPage, open };
};
