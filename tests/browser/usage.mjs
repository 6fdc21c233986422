// The operator-usage report, in real headless Chromium: formation completes one case and
// returns another (through the API); the office head signs in on the desk, follows the
// link from /staff, reads today's report (the office, the staff table, the units),
// sorts the staff table by name, opens a member's actions by kind, and downloads the
// XLSX; a formation clerk is refused. Screenshots at 1366 and 390 px, Persian and
// English. Starts its own `daftar serve --demo`; DAFTAR_DATABASE_URL runs it on that
// database.
//
//   node usage.mjs path/to/daftar

import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { accessible, lastCode, launchBrowser, persian, startServer } from './support.mjs';

const daftar = process.argv[2];
if (!daftar) throw new Error('usage: node usage.mjs path/to/daftar');
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-usage-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
const extra = process.env.DAFTAR_DATABASE_URL ? ['--database-url', process.env.DAFTAR_DATABASE_URL] : [];
const { server, base } = await startServer(daftar, dataDir, extra);
const browser = await launchBrowser();
const SERVICE = '10010101001th01';

async function api(path, body, token) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : {} };
}

async function staffPage(username, width) {
  const page = await (await browser.newContext({ viewport: { width, height: width > 400 ? 900 : 844 }, acceptDownloads: true, bypassCSP: true })).newPage();
  await page.goto(base + '/staff/sign-in');
  await page.getByLabel('نام کاربری').fill(username);
  await page.getByLabel('گذرواژه').fill('daftar-demo');
  await page.getByRole('button', { name: 'ورود' }).click();
  await page.waitForURL(/\/staff$/);
  return page;
}

try {
  const asked = await api('/api/v1/auth/otp', { national_id: '0499370899', mobile: '09120000001' });
  assert.equal(asked.status, 202);
  const citizen = (await api('/api/v1/auth/otp/verify', { national_id: '0499370899', code: lastCode(dataDir) })).json.token;
  const formation = (await api('/api/v1/auth/token', { username: 'formation', password: 'daftar-demo' })).json.token;
  const pdf = Buffer.from('%PDF-1.7 scan').toString('base64');
  const documents = ['national_card', 'title_deed', 'renewal_receipt']
    .map((kind) => ({ kind, file_name: `${kind}.pdf`, content_base64: pdf }));
  const answers = {
    applicant_national_id: '0499370899', mobile: '09120000001', renewal_code: '01-101-12-0',
    district: '1', postal_code: '1619735744', purpose: 'other',
  };
  for (const body of [{ action: 'complete' }, { action: 'return_for_deficiency', comment: 'سند خوانا نیست' }]) {
    const opened = await api('/api/v1/cases', { service_id: SERVICE, answers, documents }, citizen);
    assert.equal(opened.status, 201, JSON.stringify(opened.json));
    const acted = await api(`/api/v1/cases/${opened.json.id}/actions`, { ...body, version: opened.json.version }, formation);
    assert.equal(acted.status, 200, JSON.stringify(acted.json));
  }

  // A clerk has no link and is refused.
  const clerk = await staffPage('formation', 1366);
  assert.equal(await clerk.locator('#usage-link').count(), 0);
  const refused = await clerk.goto(base + '/staff/reports/usage');
  assert.equal(refused.status(), 403);

  for (const width of [1366, 390]) {
    const head = await staffPage('office_head', width);
    await head.locator('#usage-link').click();
    await head.locator('#usage-staff').waitFor();
    const rows = head.locator('#usage-staff tbody tr');
    // The busiest first: the formation clerk, two actions, one case closed.
    const first = rows.first();
    assert.match(await first.innerText(), /واحد تشکیل/);
    assert.match(await first.locator('td').nth(4).innerText(), new RegExp(persian('2')));
    assert.match(await first.locator('td').nth(5).innerText(), new RegExp(persian('1')));
    assert.match(await head.locator('#usage-units').innerText(), /واحد تشکیل/);
    const overflow = await head.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the report overflows by ${overflow}px at ${width}`);
    await head.screenshot({ path: join(screenshots, `usage-fa-${width}.png`), fullPage: true });
    await accessible(head, `the usage report at ${width}`);
    if (width === 1366) {
      // Sorted by name on a click of its header, then the member's actions by kind.
      await head.locator('#usage-staff thead a').first().click();
      await head.waitForURL(/sort=name/);
      assert.equal(await head.locator('#usage-staff th[aria-sort="ascending"]').count(), 1);
      const clerkRow = head.locator('#usage-staff tbody tr', { hasText: 'واحد تشکیل' });
      await clerkRow.locator('summary').click();
      assert.match(await clerkRow.locator('details').innerText(), /return_for_deficiency/);
      const [download] = await Promise.all([head.waitForEvent('download'), head.locator('#usage-xlsx').click()]);
      const file = join(dataDir, 'usage.xlsx');
      await download.saveAs(file);
      assert.equal(readFileSync(file).subarray(0, 2).toString(), 'PK');
      assert.match(download.suggestedFilename(), /^daftar-usage-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx$/);
      await head.locator('a[href^="/lang/en"]').first().click();
      await head.locator('#usage-staff').waitFor();
      assert.match(await head.locator('h1').innerText(), /Staff usage report/);
      await head.screenshot({ path: join(screenshots, 'usage-en-1366.png'), fullPage: true });
    }
  }
  console.log('usage: the office head read, sorted and downloaded the report');
} finally {
  await browser.close();
  server.kill();
}
