import { existsSync } from 'node:fs';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

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
