// An issued document checked as anyone would, in real headless Chromium: the demo owner
// applies for a no-violation certificate through the API, the office works it to its
// issue (which signs the certificate), and the verify page, opened from the owner's case
// page, says it is valid and what it states, in Persian and English, at 390 and 1366 px.
// The owner downloads the certificate's PDF from the case page: its text (pdftotext) has
// the Persian title, the serial and the secretariat number; its QR code, read from the
// page rendered as an image (pdftoppm, jsQR), opens the verify page, which says valid;
// `daftar documents verify` checks the PDF offline against the published keys. After
// certificate drafting revokes it, the same address says revoked, with the reason, to the
// owner and to a visitor with no session, whose page the server had kept.
// Starts its own `daftar serve --demo`; DAFTAR_DATABASE_URL runs it on that database.
//
//   node issued.mjs path/to/daftar

import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
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
  ]) {
    const acted = await api(base, `/api/v1/cases/${kase.id}/actions`, { ...step, version: kase.version }, await staff(username));
    assert.equal(acted.status, 200, `${step.action}: ${JSON.stringify(acted.json)}`);
    kase = acted.json;
  }
  // The property's renewal toll is unpaid: the certificate waits until the bank's
  // settlement file pays it.
  const issue = { action: 'issue_certificate', fields: { certificate_number: '1405/88' } };
  const refused = await api(base, `/api/v1/cases/${kase.id}/actions`, { ...issue, version: kase.version }, await staff('certificate_drafting'));
  assert.equal(refused.json.error?.code, 'case.needs_renewal_paid', JSON.stringify(refused.json));
  const bill = (await api(base, '/api/v1/bills/track?district=1&renewal_code=01-101-12-0')).json;
  const settlement = join(dataDir, 'settlement.csv');
  writeFileSync(settlement, `bill_id,payment_id,amount_rials,paid_at,trace_number\n${bill.bill_id},${bill.payment_id},${bill.amount_rials},1405-09-01 10:00,BANK-1\n`);
  execFileSync(daftar, ['payments', 'import', '--data-dir', dataDir, settlement], { stdio: ['ignore', 'ignore', 'inherit'] });
  const issued = await api(base, `/api/v1/cases/${kase.id}/actions`, { ...issue, version: kase.version }, await staff('certificate_drafting'));
  assert.equal(issued.status, 200, JSON.stringify(issued.json));
  kase = issued.json;
  const serial = kase.issued[0].serial;

  // The owner's case page lists the certificate; its link opens the verify page.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  await context.addCookies([{ name: 'daftar_session', value: owner, url: base }]);
  const phone = await context.newPage();
  await phone.goto(`${base}/cases/${kase.id}`);
  await phone.locator('#issued').screenshot({ path: join(screenshots, 'case-issued-390.png') });

  // The certificate as paper: downloaded from the case page, read back as text.
  const [download] = await Promise.all([
    phone.waitForEvent('download'),
    phone.locator(`#issued a[href="/issued/${serial}/pdf"]`).click(),
  ]);
  const pdfPath = join(dataDir, 'certificate.pdf');
  await download.saveAs(pdfPath);
  const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  const latin = text.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d)));
  assert.match(text, /گواهی عدم خالف|گواهی عدم خلاف/, text);
  assert.ok(latin.includes(`${serial.slice(0, 4)}-${serial.slice(4, 8)}-${serial.slice(8)}`), `serial ${serial} in ${latin}`);
  assert.ok(latin.includes('1405/88'), latin);
  assert.doesNotMatch(latin, /0499370899|09120000001/);
  // Offline: the PDF's attached record against the keys the office publishes.
  const keysPath = join(dataDir, 'daftar-keys.json');
  writeFileSync(keysPath, JSON.stringify((await api(base, '/.well-known/daftar-keys.json')).json));
  const offline = execFileSync(daftar, ['documents', 'verify', pdfPath, '--keys', keysPath], { encoding: 'utf8' });
  assert.match(offline, /the signature holds[\s\S]*certificate_number: 1405\/88/);
  // Its QR code, read from the page as an image, is the verify address and the record.
  execFileSync('pdftoppm', ['-r', '300', '-png', '-f', '1', '-l', '1', pdfPath, join(dataDir, 'page')]);
  const image = PNG.sync.read(readFileSync(join(dataDir, 'page-1.png')));
  const qr = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  assert.ok(qr, 'a QR code on the page');
  assert.ok(qr.data.startsWith(`${base}/verify/${serial}#`), qr.data);
  await phone.goto(qr.data);
  assert.equal(await phone.locator('#issued-status').getAttribute('data-status'), 'valid');
  await phone.goto(`${base}/cases/${kase.id}`);
  assert.match(await phone.locator('#history').innerText(), /دریافت[\s\u2066-\u2069]*PDF/);
  await phone.locator('#history').screenshot({ path: join(screenshots, 'case-history-download-390.png') });
  await accessible(phone, 'case with its issued certificate, fa, 390');
  execFileSync('cp', [join(dataDir, 'page-1.png'), join(screenshots, 'certificate-pdf-page-1.png')]);
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

  // A visitor with no session who opens the address as printed gets the page kept for
  // such visitors (a second at most; a revocation through this instance ends it at once).
  const visitor = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await visitor.goto(`${base}/verify/${serial}`);
  assert.equal(await visitor.locator('#issued-status').getAttribute('data-status'), 'valid');
  assert.match(await visitor.locator('header').innerText(), /ورود/);
  await visitor.screenshot({ path: join(screenshots, 'verify-anonymous-390.png'), fullPage: true });

  // Revoked by the unit that issued it: the same page says so, and why.
  const revoked = await api(base, `/api/v1/issued/${serial}/revocation`, { reason: 'صادرشده با پلاک نادرست' }, await staff('certificate_drafting'));
  assert.equal(revoked.status, 204);
  // (From another page: a move to the same address with another fragment reloads nothing.)
  await phone.goto('about:blank');
  await phone.goto(qr.data);
  assert.equal(await phone.locator('#issued-status').getAttribute('data-status'), 'revoked');
  assert.match(await phone.locator('#issued-note').innerText(), /صادرشده با پلاک نادرست/);
  await phone.screenshot({ path: join(screenshots, 'verify-revoked-390.png'), fullPage: true });
  await visitor.goto(`${base}/verify/${serial}`);
  assert.equal(await visitor.locator('#issued-status').getAttribute('data-status'), 'revoked');
  await visitor.screenshot({ path: join(screenshots, 'verify-anonymous-revoked-390.png'), fullPage: true });
  await desk.goto(`${base}/verify/${serial}`);
  assert.equal(await desk.locator('#issued-status').getAttribute('data-status'), 'revoked');
  await desk.screenshot({ path: join(screenshots, 'verify-anonymous-revoked-1366.png'), fullPage: true });
  console.log('issued: a certificate downloaded as a PDF, read back, verified valid by its QR code and offline, then revoked');
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
