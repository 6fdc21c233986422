// An issued document checked as anyone would, in real headless Chromium: the demo owner
// applies for a no-violation certificate through the API, the office works it to its
// issue (which signs the certificate), and the verify page, opened from the owner's case
// page, says it is valid and what it states, in Persian and English, at 390 and 1366 px;
// after certificate drafting revokes it, the same page says revoked, with the reason.
// Starts its own `daftar serve --demo`; DAFTAR_DATABASE_URL runs it on that database.
//
//   node issued.mjs path/to/daftar

import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { lastCode, launchBrowser, startServer } from './support.mjs';

const daftar = process.argv[2] ?? '../../target/debug/daftar';
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-issued-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
const axe = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

async function api(base, path, body, token) {
  const response = await fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : {} };
}

// axe-core's serious and critical findings on the page as it stands.
async function accessible(page, label) {
  await page.addScriptTag({ content: axe });
  const found = await page.evaluate(async () => (await window.axe.run()).violations
    .filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help}`));
  assert.deepEqual(found, [], `${label}: ${found.join('; ')}`);
}

const { server, base } = await startServer(daftar, dataDir);
const browser = await launchBrowser();
try {
  const asked = await api(base, '/api/v1/auth/otp', { national_id: '0499370899', mobile: '09120000001' });
  assert.equal(asked.status, 202);
  const owner = (await api(base, '/api/v1/auth/otp/verify', { national_id: '0499370899', code: lastCode(dataDir) })).json.token;
  const pdf = Buffer.from('%PDF-1.7 scan').toString('base64');
  const documents = ['national_card', 'title_deed', 'building_permit', 'supervisor_report']
    .map((kind) => ({ kind, file_name: `${kind}.pdf`, content_base64: pdf }));
  const answers = {
    applicant_national_id: '0499370899', mobile: '09120000001', renewal_code: '01-101-12-0',
    district: '1', file_number: '1398-4512', postal_code: '1619735744', purpose: 'transfer',
  };
  let kase = await api(base, '/api/v1/cases', { service_id: '10010101015th01', answers, documents }, owner);
  assert.equal(kase.status, 201, JSON.stringify(kase.json));
  kase = kase.json;
  const staff = async (username) => (await api(base, '/api/v1/auth/token', { username, password: 'daftar-demo' })).json.token;
  for (const [username, step] of [
    ['certificate_drafting', { action: 'book_inspection', fields: { inspection_date: '1405-09-20' } }],
    ['inspection', { action: 'record_inspection', fields: { built_area_m2: '150' } }],
    ['office_head', { action: 'head_approves' }],
    ['certificate_drafting', { action: 'issue_certificate', fields: { certificate_number: '1405/88' } }],
  ]) {
    const acted = await api(base, `/api/v1/cases/${kase.id}/actions`, { ...step, version: kase.version }, await staff(username));
    assert.equal(acted.status, 200, `${step.action}: ${JSON.stringify(acted.json)}`);
    kase = acted.json;
  }
  const serial = kase.issued[0].serial;

  // The owner's case page lists the certificate; its link opens the verify page.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  await context.addCookies([{ name: 'daftar_session', value: owner, url: base }]);
  const phone = await context.newPage();
  await phone.goto(`${base}/cases/${kase.id}`);
  await phone.locator('#issued').screenshot({ path: join(screenshots, 'case-issued-390.png') });
  await phone.locator(`#issued a[href="/verify/${serial}"]`).click();
  await phone.waitForURL(`${base}/verify/${serial}`);
  assert.equal(await phone.locator('#issued-status').getAttribute('data-status'), 'valid');
  assert.match(await phone.locator('main').innerText(), /گواهی عدم خلاف[\s\S]*معتبر[\s\S]*۰۱-۱۰۱-۱۲-۰/);
  assert.doesNotMatch(await phone.locator('main').innerText(), /مریم|0499370899|۰۴۹۹۳۷۰۸۹۹/);
  await phone.screenshot({ path: join(screenshots, 'verify-valid-390.png'), fullPage: true });
  await accessible(phone, 'verify, fa, 390');

  const desk = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true })).newPage();
  await desk.goto(`${base}/verify/${serial}?lang=en`);
  assert.match(await desk.locator('main').innerText(), /No-violation certificate[\s\S]*Valid[\s\S]*Secretariat number/);
  await desk.screenshot({ path: join(screenshots, 'verify-valid-1366-en.png'), fullPage: true });
  await accessible(desk, 'verify, en, 1366');
  await desk.goto(`${base}/verify/${serial}?lang=fa`);
  await desk.screenshot({ path: join(screenshots, 'verify-valid-1366.png'), fullPage: true });
  await accessible(desk, 'verify, fa, 1366');
  await phone.goto(`${base}/verify/${serial}?lang=en`);
  await phone.screenshot({ path: join(screenshots, 'verify-valid-390-en.png'), fullPage: true });
  await accessible(phone, 'verify, en, 390');
  await phone.goto(`${base}/lang/fa?next=/verify/${serial}`);

  // A serial typed with one digit wrong is refused before any look-up.
  await desk.goto(`${base}/verify?lang=fa`);
  await desk.locator('#serial').fill(serial.slice(0, 11) + ((Number(serial[11]) + 1) % 10));
  await desk.locator('form[action="/verify"] button').click();
  await desk.locator('#form-error').waitFor();
  await desk.screenshot({ path: join(screenshots, 'verify-refused-1366.png'), fullPage: true });

  // Revoked by the unit that issued it: the same page says so, and why.
  const revoked = await api(base, `/api/v1/issued/${serial}/revocation`, { reason: 'صادرشده با پلاک نادرست' }, await staff('certificate_drafting'));
  assert.equal(revoked.status, 204);
  await phone.goto(`${base}/verify/${serial}`);
  assert.equal(await phone.locator('#issued-status').getAttribute('data-status'), 'revoked');
  assert.match(await phone.locator('#issued-note').innerText(), /صادرشده با پلاک نادرست/);
  await phone.screenshot({ path: join(screenshots, 'verify-revoked-390.png'), fullPage: true });
  console.log('issued: a certificate verified valid from its case page, then revoked');
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
