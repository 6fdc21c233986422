// A clerk works a busy queue in real headless Chromium, at an office desktop (1366 px)
// and on a phone (390 px): 55 applications wait in formation's queue; the clerk pages
// past the first 50, finds one case by its tracking code, opens it and approves one of
// its documents. Starts its own `daftar serve --demo`; DAFTAR_DATABASE_URL, when set,
// runs it on that database instead of SQLite.
//
//   node clerk-queue.mjs path/to/daftar

import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { lastCode, launchBrowser, persian, startServer } from './support.mjs';

const daftar = process.argv[2] ?? '../../target/debug/daftar';
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-queue-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
const SERVICE = '10010101001th01';
const CASES = 55;

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
  const verified = await api(base, '/api/v1/auth/otp/verify', { national_id: '0499370899', code: lastCode(dataDir) });
  assert.equal(verified.status, 200);
  return verified.json.token;
}

const { server, base } = await startServer(daftar, dataDir, ['--documents-per-applicant-per-day', '1000']);
const browser = await launchBrowser();
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
