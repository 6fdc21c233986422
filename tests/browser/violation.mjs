// A building violation in real headless Chromium, from the owner's application to a paid
// fine: the inspector's sketch shows one floor more than the demo property's permit and
// a parking space short; the violation-review unit sees both with their notes and fine
// ranges, corrects one and refers the case to the Article 100 commission; the owner sends
// a defence; the secretary's ruling is refused outside the range, then set; the owner
// objects in time and the appeal lowers the fine; the bank's settlement file pays the
// fine's bill; the unit settles the violation; and the owner, refused a no-violation
// certificate while the violation was open, can now apply for one. Then a registry letter
// about the completion certificate opens a new violation case on the property.
// Starts its own `daftar serve --demo`; DAFTAR_DATABASE_URL runs it on that database.
//
//   node violation.mjs path/to/daftar

import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { ascii, lastCode, launchBrowser, startServer } from './support.mjs';

const daftar = process.argv[2] ?? '../../target/debug/daftar';
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-violation-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
const VIOLATION_REVIEW = '10010101011th01';
const NO_VIOLATION_CERTIFICATE = '10010101015th01';
const PDF = { name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n%test\n') };

const axeSource = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'axe-core', 'axe.min.js');
const { server, base } = await startServer(daftar, dataDir);

// axe-core's serious and critical findings on the page as it is, in Persian and English.
async function accessible(page, label, path) {
  for (const lang of ['fa', 'en']) {
    await page.goto(`${base}${path}?lang=${lang}`);
    await page.addScriptTag({ path: axeSource });
    const found = await page.evaluate(async () =>
      (await window.axe.run(document, { resultTypes: ['violations'] })).violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`));
    assert.deepEqual(found, [], `${label} [${lang}]`);
    if (lang === 'en') await page.screenshot({ path: join(screenshots, `${label}-en.png`), fullPage: true });
  }
  await page.goto(`${base}/lang/fa?next=${encodeURIComponent(path)}`);
}
const browser = await launchBrowser();
const newPage = async (viewport) => {
  // The page's policy is kept by the server's own tests; axe is injected past it here.
  const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
  page.setDefaultTimeout(20000);
  return page;
};

async function citizenPage() {
  const page = await newPage({ width: 390, height: 844 });
  await page.goto(base + '/sign-in');
  await page.getByLabel('کد ملی').fill('0499370899');
  await page.getByLabel('شماره تلفن همراه').fill('09120000001');
  await page.keyboard.press('Enter');
  await page.getByLabel('کد یک‌بار مصرف').waitFor();
  await page.getByLabel('کد یک‌بار مصرف').fill(lastCode(dataDir));
  await page.getByRole('button', { name: 'ورود' }).click();
  await page.locator('#welcome').waitFor();
  return page;
}

const staffPages = new Map();
async function staffPage(username) {
  if (staffPages.has(username)) return staffPages.get(username);
  const page = await newPage({ width: 1366, height: 900 });
  await page.goto(base + '/staff/sign-in');
  await page.getByLabel('نام کاربری').fill(username);
  await page.getByLabel('گذرواژه').fill('daftar-demo');
  await page.getByRole('button', { name: 'ورود' }).click();
  await page.waitForURL(/\/staff$/);
  staffPages.set(username, page);
  return page;
}

// The Jalali date `days` from today in Tehran, as a form takes it (`1405-09-24`).
function jalaliFromToday(days) {
  const parts = new Intl.DateTimeFormat('en-US-u-ca-persian', {
    year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Asia/Tehran',
  }).formatToParts(new Date(Date.now() + days * 86_400_000));
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

// Takes `action` on the case page: fills the form's inputs, submits, waits for the notice.
async function act(page, casePath, action, fill = {}) {
  await page.goto(base + casePath);
  const form = page.locator(`form[data-action="${action}"]`);
  assert.equal(await form.count(), 1, `${action} is offered on ${casePath}`);
  for (const [name, value] of Object.entries(fill)) await form.locator(`[name="${name}"]`).fill(value);
  await form.locator('button[type="submit"]').click();
  await page.locator('#notice').waitFor();
  return page.locator('#case-state').innerText();
}

// Fills a service's form with `answers` and a PDF for every required document, and sends
// it; resolves to the page after sending (the check page, or the form with its errors).
async function apply(page, service, answers) {
  await page.goto(base + `/services/${service}`);
  await page.locator('#apply').click();
  const form = page.locator('#apply-form');
  for (const select of await form.locator('select').all()) await select.selectOption({ index: 1 });
  for (const input of await form.locator('input[name^="field:"]').all()) {
    const name = (await input.getAttribute('name')).slice('field:'.length);
    if (await input.getAttribute('required') === null) continue;
    await input.fill(answers[name] ?? 'پاسخ');
  }
  for (const file of await form.locator('input[type="file"][aria-required="true"]').all()) await file.setInputFiles(PDF);
  await form.locator('button[type="submit"]').click();
}

const owner = {
  applicant_national_id: '0499370899', mobile: '09120000001', renewal_code: '01-101-12-0', district: '1',
  file_number: '1398-4512', postal_code: '1619735744',
};

try {
  // Permit drafting sees the demo permit on the property file, with the form to replace it.
  const drafting = await staffPage('permit_drafting');
  await drafting.goto(base + '/properties/1/01-101-12-0');
  assert.match(await drafting.locator('#permit').innerText(), /۱۳۹۸-۰۱۰۱-۴۵۱۲[\s\S]*طبقه ۲: مسکونی/);
  await drafting.locator('#permit summary').click();
  await drafting.locator('#permit').screenshot({ path: join(screenshots, 'permit-1366.png') });
  await drafting.setViewportSize({ width: 390, height: 844 });
  await drafting.screenshot({ path: join(screenshots, 'permit-390.png'), fullPage: true });
  await accessible(drafting, 'permit-390', '/properties/1/01-101-12-0');

  // The owner asks for the violation review of their building, on a phone.
  const citizen = await citizenPage();
  await apply(citizen, VIOLATION_REVIEW, owner);
  await citizen.locator('#confirm').click();
  await citizen.locator('#applied').waitFor();
  const casePath = new URL(citizen.url()).pathname;

  // Formation records the detailed-plan inquiry and sends the file to inspection.
  const formation = await staffPage('formation');
  await formation.goto(base + casePath);
  await formation.locator('#record-inquiry').click();
  await formation.locator('#inquiry #map-order').waitFor();
  assert.match(await act(formation, casePath, 'book_inspection'), /بازدید/);

  // The inspector records what stands: three residential floors over the parking, where
  // the demo permit allows two, and parking for four cars where it asks five.
  const inspector = await staffPage('inspection');
  await inspector.goto(base + casePath);
  await inspector.locator('#sketch-text').fill([
    '0 parking: 0,0 12,0 12,9.5 0,9.5',
    '1 residential: 0,0 12,0 12,9.5 0,9.5',
    '2 residential: 0,0 12,0 12,9.5 0,9.5',
    '3 residential: 0,0 12,0 12,9.5 0,9.5',
  ].join('\n'));
  await inspector.getByRole('button', { name: 'ثبت کروکی', exact: true }).click();
  await inspector.locator('#sketch figure svg').waitFor();
  assert.match(await act(inspector, casePath, 'send_to_review'), /بررسی خلاف/);

  // The violation-review unit sees both violations with their notes and fine ranges.
  const reviewer = await staffPage('violation_review');
  await reviewer.goto(base + '/staff/queues/violation_review');
  const queued = reviewer.locator(`#queue tr:has(a[href="${casePath}"])`);
  assert.match(await queued.innerText(), /۲ تخلف محاسبه‌شده، ۱۱۴٫۰۰ متر مربع؛ جریمه از ۳٬۲۸۰٬۰۰۰٬۰۰۰ تا ۱۵٬۶۸۰٬۰۰۰٬۰۰۰ ریال/);
  await reviewer.screenshot({ path: join(screenshots, 'violation-queue-1366.png'), fullPage: true });
  await reviewer.goto(base + casePath);
  const table = reviewer.locator('#violations-table');
  await table.waitFor();
  const rows = await table.locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 2, rows.join('\n'));
  assert.match(rows[0], /طبقه اضافه[\s\S]*طبقه ۳[\s\S]*تبصره ۲ ماده ۱۰۰[\s\S]*۲٬۲۸۰٬۰۰۰٬۰۰۰ ریال[\s\S]*۱۳٬۶۸۰٬۰۰۰٬۰۰۰ ریال/);
  assert.match(rows[1], /کسری پارکینگ[\s\S]*تبصره ۵ ماده ۱۰۰[\s\S]*۱٬۰۰۰٬۰۰۰٬۰۰۰ ریال/);
  await reviewer.screenshot({ path: join(screenshots, 'violations-review-1366.png'), fullPage: true });
  await reviewer.locator('#violations').screenshot({ path: join(screenshots, 'violations-section-1366.png') });
  await reviewer.setViewportSize({ width: 390, height: 844 });
  await reviewer.screenshot({ path: join(screenshots, 'violations-review-390.png'), fullPage: true });
  await reviewer.setViewportSize({ width: 1366, height: 900 });
  await accessible(reviewer, 'violations-review', casePath);
  await reviewer.goto(base + casePath);
  // A correction with no reason is refused at the form, then made with one.
  await reviewer.locator('input[name="decision_2"][value="corrected"]').check();
  await reviewer.locator('#quantity-2').fill('۲');
  await reviewer.locator('#save-review').click();
  await reviewer.locator('#review-error').waitFor();
  assert.match(await reviewer.locator('#review-error').innerText(), /دلیل/);
  assert.equal(await reviewer.locator('#quantity-2').inputValue(), '۲', 'what was typed is kept');
  await reviewer.locator('#reason-2').fill('رمپ زیرزمین جای دو خودرو را گرفته است');
  await reviewer.locator('#save-review').click();
  await reviewer.locator('#violations-reviewed').waitFor();
  assert.match(await table.innerText(), /اصلاح شد/);
  assert.match(await act(reviewer, casePath, 'refer_to_commission'), /کمیسیون بدوی/);

  // The owner sees the violations and the defence deadline, and sends a defence.
  await citizen.goto(base + casePath);
  assert.match(await citizen.locator('#violations').innerText(), /دفاعیه/);
  await citizen.screenshot({ path: join(screenshots, 'violations-owner-defence-390.png'), fullPage: true });
  // The defence goes with its evidence.
  await citizen.goto(base + casePath);
  const defence = citizen.locator('form[data-action="send_defence"]');
  await defence.locator('select[name="document_kind"]').selectOption('defence');
  await defence.locator('input[type="file"]').setInputFiles(PDF);
  await defence.locator('textarea[name="comment"]').fill('طبقه سوم پیش از ۱۴۰۴ ساخته شده است.');
  await defence.locator('button[type="submit"]').click();
  await citizen.locator('#notice').waitFor();
  assert.match(await citizen.locator('main').innerText(), /لایحه دفاعیه/);

  // The secretary puts the case on the docket (the defence is in, so the session may be
  // today), and records the ruling: a fine beyond the range is refused without a reason.
  const secretary = await staffPage('commission_secretary');
  assert.match(await act(secretary, casePath, 'schedule_session', { 'field:session_date': jalaliFromToday(0) }), /کمیسیون بدوی/);
  assert.match(await secretary.locator('#violations').innerText(), /جلسه کمیسیون/);
  await secretary.goto(base + casePath);
  await secretary.locator('#ruling-number').fill('3/05/7834');
  await secretary.locator('#amount-1').fill('20000000000');
  await secretary.locator('#amount-2').fill('3000000000');
  await secretary.locator('#save-ruling').click();
  await secretary.locator('#ruling-error').waitFor();
  assert.match(await secretary.locator('#ruling-error').innerText(), /خارج از دامنه/);
  await secretary.screenshot({ path: join(screenshots, 'ruling-refused-1366.png'), fullPage: true });
  await secretary.locator('#violations').screenshot({ path: join(screenshots, 'ruling-form-1366.png') });
  await accessible(secretary, 'ruling-form', casePath);
  await secretary.goto(base + casePath);
  await secretary.locator('#ruling-number').fill('3/05/7834');
  await secretary.locator('#amount-2').fill('3000000000');
  await secretary.locator('#amount-1').fill('10000000000');
  await secretary.locator('#save-ruling').click();
  await secretary.locator('.ruling').waitFor();
  // The draft stays open to correction until it is issued; served today.
  const servedDate = ascii(await secretary.locator('#ruling-date').inputValue());
  assert.match(await act(secretary, casePath, 'issue_ruling', { 'field:served_date': servedDate }), /مهلت اعتراض/);

  // The owner objects in time, seeing the days left.
  await citizen.goto(base + casePath);
  assert.match(await citizen.locator('#violations').innerText(), /روز مانده/);
  assert.match(await citizen.locator('#violations').innerText(), /۱۰٬۰۰۰٬۰۰۰٬۰۰۰ ریال/);
  await citizen.screenshot({ path: join(screenshots, 'violations-owner-ruling-390.png'), fullPage: true });
  assert.match(await act(citizen, casePath, 'object', { comment: 'جریمه برای کوچه فرعی زیاد است.' }), /تجدیدنظر/);

  // The appeal lowers the floor's fine; issuing it makes the fines a bill.
  await secretary.goto(base + casePath);
  await secretary.locator('#ruling-number').fill('7/05/112');
  await secretary.locator('#amount-1').fill('۴٬۰۰۰٬۰۰۰٬۰۰۰');
  await secretary.locator('#amount-2').fill('2000000000');
  await secretary.locator('#save-ruling').click();
  await secretary.locator('.ruling >> nth=1').waitFor();
  assert.match(await act(secretary, casePath, 'issue_appeal_ruling'), /اجرای رای/);

  // The owner sees the fine's bill; a no-violation certificate is refused meanwhile.
  await citizen.goto(base + casePath);
  const bill = citizen.locator('.fine-bills li').first();
  await bill.waitFor();
  assert.match(await bill.innerText(), /۶٬۰۰۰٬۰۰۰٬۰۰۰ ریال/);
  await citizen.screenshot({ path: join(screenshots, 'violations-owner-bill-390.png'), fullPage: true });
  await citizen.locator('#violations').screenshot({ path: join(screenshots, 'violations-owner-section-390.png') });
  await accessible(citizen, 'violations-owner-390', casePath);
  const [billId, paymentId] = (await bill.locator('bdi.code').allInnerTexts()).map(ascii);
  await apply(citizen, NO_VIOLATION_CERTIFICATE, owner);
  await citizen.locator('#error-summary').waitFor();
  assert.match(await citizen.locator('#error-summary').innerText(), /پرونده خلاف باز/);
  await citizen.screenshot({ path: join(screenshots, 'certificate-refused-390.png'), fullPage: true });

  // The bank's settlement file pays it.
  const file = join(dataDir, 'settlement.csv');
  writeFileSync(file, `bill_id,payment_id,amount_rials,paid_at,trace_number\n${billId},${paymentId},6000000000,1405-09-12 10:00,BANK-77\n`);
  execFileSync(daftar, ['payments', 'import', '--data-dir', dataDir, file], { stdio: ['ignore', 'ignore', 'inherit'] });
  await citizen.goto(base + `/bills/track?bill_id=${billId}&payment_id=${paymentId}`);
  assert.match(await citizen.locator('main').innerText(), /پرداخت‌شده[\s\S]*جریمه کمیسیون ماده ۱۰۰/);

  // The unit settles the violation; the certificate can now be applied for.
  assert.match(await act(reviewer, casePath, 'settle'), /تسویه/);
  await reviewer.screenshot({ path: join(screenshots, 'violations-settled-1366.png'), fullPage: true });
  await apply(citizen, NO_VIOLATION_CERTIFICATE, owner);
  await citizen.locator('#confirm, #error-summary').first().waitFor();
  assert.equal(await citizen.locator('#error-summary').count(), 0, await citizen.locator('main').innerText());
  await citizen.locator('#confirm').click();
  await citizen.locator('#applied').waitFor();

  // The unit registers a fire-safety firm whose licence has lapsed: it shows as expired.
  await reviewer.goto(base + '/staff');
  await reviewer.locator('#firms-link').click();
  await reviewer.locator('#firm-name').fill('ایمن‌سازان البرز');
  await reviewer.locator('#firm-legal-id').fill('۱۰۳۸۰۲۸۴۷۹۰');
  await reviewer.locator('#firm-licence').fill('AF-1402-77');
  await reviewer.locator('#firm-valid-until').fill('1404-12-29');
  await reviewer.locator('#register-firm').click();
  await reviewer.locator('#notice').waitFor();
  assert.match(await reviewer.locator('#firms').innerText(), /ایمن‌سازان البرز[\s\S]*منقضی/);
  await reviewer.screenshot({ path: join(screenshots, 'firms-1366.png'), fullPage: true });
  await reviewer.setViewportSize({ width: 390, height: 844 });
  await reviewer.screenshot({ path: join(screenshots, 'firms-390.png'), fullPage: true });
  await accessible(reviewer, 'firms-390', '/staff/fire-safety-firms');

  // A registry letter about the completion certificate opens a new violation case on the
  // property (the first is settled), for the owner the register names.
  await reviewer.goto(base + '/properties/1/01-101-12-0');
  await reviewer.locator('#registry-letter summary').click();
  await reviewer.locator('#letter-number').fill('۱۳۹/۴۵/۱۲۸۷۳');
  await reviewer.locator('#letter-date').fill('1405-09-01');
  await reviewer.locator('#letter-summary').fill('پایان‌کار سه طبقه را نشان می‌دهد و نقشه‌های نظام مهندسی دو طبقه را.');
  await reviewer.screenshot({ path: join(screenshots, 'registry-letter-390.png'), fullPage: true });
  // No scan: the browser itself holds the form back (the server refuses it too: its test).
  await reviewer.locator('#open-from-letter').click();
  assert.equal(await reviewer.locator('#letter-scan').evaluate((input) => input.validity.valueMissing), true);
  assert.match(reviewer.url(), /\/properties\/1\/01-101-12-0$/);
  await reviewer.locator('#letter-scan').setInputFiles(PDF);
  await reviewer.locator('#open-from-letter').click();
  await reviewer.waitForURL(/\/cases\/\d+$/);
  assert.match(await reviewer.locator('main').innerText(), /تشکیل پرونده از نامه اداره ثبت[\s\S]*نقشه‌های نظام مهندسی/);
  await reviewer.screenshot({ path: join(screenshots, 'registry-letter-case-390.png'), fullPage: true });
  await reviewer.setViewportSize({ width: 1366, height: 900 });
  await reviewer.screenshot({ path: join(screenshots, 'registry-letter-case-1366.png'), fullPage: true });
  await reviewer.goto(base + '/properties/1/01-101-12-0');
  await reviewer.locator('#registry-letter summary').click();
  await reviewer.screenshot({ path: join(screenshots, 'registry-letter-1366.png'), fullPage: true });
  await accessible(reviewer, 'registry-letter-1366', '/properties/1/01-101-12-0');
  console.log('violation: the sketch to the commission to a paid fine, and the certificate after');
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
