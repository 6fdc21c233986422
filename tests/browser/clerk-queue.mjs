// A clerk works a busy queue in real headless Chromium, at an office desktop (1366 px)
// and on a phone (390 px): 55 applications wait in formation's queue; the clerk pages
// past the first 50, finds one case by its tracking code, opens it and approves one of
// its documents. Starts its own `daftar serve --demo`; DAFTAR_DATABASE_URL, when set,
// runs it on that database instead of SQLite.
//
//   node clerk-queue.mjs path/to/daftar

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const daftar = process.argv[2] ?? '../../target/debug/daftar';
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-queue-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
const SERVICE = '10010101001th01';
const CASES = 55;

function startServer() {
  const server = spawn(daftar, ['serve', '--demo', '--data-dir', dataDir, '--addr', '127.0.0.1:0',
    '--documents-per-applicant-per-day', '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
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

async function api(base, path, body, token) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : {} };
}

/// The demo citizen's token, signed in through the API with the code from messages.log.
async function citizenToken(base) {
  const asked = await api(base, '/api/v1/auth/otp', { national_id: '0499370899', mobile: '09120000001' });
  assert.equal(asked.status, 202);
  const lines = readFileSync(join(dataDir, 'messages.log'), 'utf8').trim().split('\n');
  const text = JSON.parse(lines.at(-1)).text.replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
  const verified = await api(base, '/api/v1/auth/otp/verify', { national_id: '0499370899', code: text.match(/\d{6}/)[0] });
  assert.equal(verified.status, 200);
  return verified.json.token;
}

function persian(text) {
  return text.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
}

const { server, base } = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const token = await citizenToken(base);
  const pdf = Buffer.from('%PDF-1.7 scan').toString('base64');
  const documents = ['national_card', 'title_deed', 'renewal_receipt']
    .map((kind) => ({ kind, file_name: `${kind}.pdf`, content_base64: pdf }));
  const answers = {
    applicant_national_id: '0499370899', mobile: '09120000001', renewal_code: '01-101-12-0',
    district: '1', postal_code: '1619735744', purpose: 'other',
  };
  const codes = [];
  for (let i = 0; i < CASES; i += 1) {
    const opened = await api(base, '/api/v1/cases', { service_id: SERVICE, answers, documents }, token);
    assert.equal(opened.status, 201, JSON.stringify(opened.json));
    codes.push(opened.json.tracking_code);
  }

  for (const width of [1366, 390]) {
    const page = await (await browser.newContext({ viewport: { width, height: width > 400 ? 900 : 844 } })).newPage();
    await page.goto(base + '/staff/sign-in');
    await page.getByLabel('نام کاربری').fill('formation');
    await page.getByLabel('گذرواژه').fill('daftar-demo');
    await Promise.all([page.waitForURL(`${base}/staff`), page.getByRole('button', { name: 'ورود' }).click()]);

    // The queue's tile names its count; the queue shows 50 and a pager.
    await page.locator('#queue-formation').click();
    await page.locator('#queue').waitFor();
    assert.equal(await page.locator('#queue tbody tr').count(), 50);
    assert.match(await page.locator('.pager').innerText(), new RegExp(persian(String(CASES))));
    await page.screenshot({ path: join(screenshots, `${width}-queue.png`) });
    await page.locator('.pager a[rel="next"]').click();
    await page.waitForURL(/page=1/);
    assert.equal(await page.locator('#queue tbody tr').count(), CASES - 50);

    // Found by its tracking code, typed as written on the citizen's receipt.
    const wanted = codes[width === 1366 ? 7 : 42];
    await page.locator('#q').fill(persian(wanted));
    await page.locator('.filter-bar button[type="submit"]').click();
    await page.waitForURL(/q=/);
    assert.equal(await page.locator('#queue tbody tr').count(), 1);
    await page.screenshot({ path: join(screenshots, `${width}-found.png`) });
    await page.locator('#queue tbody tr a[href^="/cases/"]').click();
    await page.locator('#tracking-code').waitFor();
    const shown = (await page.locator('#tracking-code').innerText()).replace(/\s/g, '');
    assert.equal(shown, persian(wanted));

    // One of its documents approved: the button is plain to see, and then the tag.
    const approve = page.getByRole('button', { name: 'تایید مدرک' }).first();
    const colours = await approve.evaluate((b) => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]);
    assert.notDeepEqual(colours[0], colours[1], 'the approve button is visible');
    await approve.click();
    await page.locator('.tag-approved').first().waitFor();
    await page.screenshot({ path: join(screenshots, `${width}-approved.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the case page overflows by ${overflow} px at ${width}`);
    await page.close();
  }
  console.log(`clerk-queue browser test passed against ${base}; screenshots in ${screenshots}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
