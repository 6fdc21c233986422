// A demo citizen signs in with the one-time code in real headless Chromium and sees the
// Persian home page. Starts its own `daftar serve --demo` on a free port and a fresh data
// directory; DAFTAR_DATABASE_URL, when set, runs it on that database instead of SQLite.
//
//   node citizen-sign-in.mjs path/to/daftar

import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { lastCode, launchBrowser, startServer } from './support.mjs';

const daftar = process.argv[2] ?? '../../target/debug/daftar';
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-browser-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });

const { server, base } = await startServer(daftar, dataDir);
const browser = await launchBrowser();
try {
  // A phone's width: the pages must work there.
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(base + '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'fa');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');

  await page.getByRole('link', { name: 'ورود شهروندان' }).first().click();
  await page.getByLabel('کد ملی').fill('۰۴۹۹۳۷۰۸۹۹');
  await page.getByLabel('شماره تلفن همراه').fill('09120000001');
  await page.keyboard.press('Enter');

  await page.getByLabel('کد یک‌بار مصرف').waitFor();
  await page.getByLabel('کد یک‌بار مصرف').fill(lastCode(dataDir));
  await page.screenshot({ path: join(screenshots, 'code.png') });
  await page.getByRole('button', { name: 'ورود' }).click();

  const welcome = page.locator('#welcome');
  await welcome.waitFor();
  assert.match(await welcome.innerText(), /مریم احمدی/);
  assert.equal(new URL(page.url()).pathname, '/');
  assert.ok(!page.url().includes('0499370899'), 'no national ID in the URL');
  assert.match(await page.locator('.today').innerText(), /[۰-۹]{4}/, 'a Jalali date in Persian digits');
  await page.screenshot({ path: join(screenshots, 'home.png'), fullPage: true });
  console.log(`browser test passed against ${base}; screenshots in ${screenshots}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
