// A demo citizen signs in with the one-time code in real headless Chromium and sees the
// Persian home page. Starts its own `daftar serve --demo` on a free port and a fresh data
// directory; DAFTAR_DATABASE_URL, when set, runs it on that database instead of SQLite.
//
//   node citizen-sign-in.mjs path/to/daftar

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const daftar = process.argv[2] ?? '../../target/debug/daftar';
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-browser-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });

function startServer() {
  const server = spawn(daftar, ['serve', '--demo', '--data-dir', dataDir, '--addr', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    server.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/serving on (http:\/\/[\d.:]+)/);
      if (match) resolve({ server, base: match[1] });
    });
    server.on('exit', (code) => reject(new Error(`daftar exited with ${code}:\n${output}`)));
  });
}

function lastCode() {
  const lines = readFileSync(join(dataDir, 'messages.log'), 'utf8').trim().split('\n');
  const text = JSON.parse(lines.at(-1)).text;
  const ascii = text.replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
  return ascii.match(/\d{6}/)[0];
}

const { server, base } = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
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
  await page.getByLabel('کد یک‌بار مصرف').fill(lastCode());
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
