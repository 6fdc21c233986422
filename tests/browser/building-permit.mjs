// One building-permit file, in real headless Chromium, from the citizen's application
// through every unit to "sent to district", signing in as each role: one return for a
// deficiency (answered with a new file) and the parallel green-space and fire review.
// Permit drafting ticks its checklist on the case page (the commitments, technical
// identity card and architecture sheets with their scans), bills the permit's fees, the
// bank's settlement file pays them, and the permit is issued signed. The citizen
// extends it from the case page (the first permit superseded), and the citizen downloads
// the extended one: its text (pdftotext) has the permit's title, serial and floors; its QR
// code, read from the page as an image, opens the verify page (valid); revoked on the case
// page, the same address says so.
// Starts its own `daftar serve --demo`; DAFTAR_DATABASE_URL runs it on that database.
// With DAFTAR_TEST_BASE_URL it runs against an office already serving there instead (three
// instances behind HAProxy: tests/instances/instances.py; see startOffice).
//
//   node building-permit.mjs path/to/daftar

import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { lastCode, launchBrowser, messages, startOffice } from './support.mjs';

const daftar = process.argv[2] ?? '../../target/debug/daftar';
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-permit-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
const PERMIT = '10010101018th01';
const PDF = { name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n%test\n') };

const { server, base, messageDirs } = await startOffice(daftar, dataDir);
const browser = await launchBrowser();

async function citizenPage() {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await page.goto(base + '/sign-in');
  await page.getByLabel('کد ملی').fill('0499370899');
  await page.getByLabel('شماره تلفن همراه').fill('09120000001');
  await page.keyboard.press('Enter');
  await page.getByLabel('کد یک‌بار مصرف').waitFor();
  await page.getByLabel('کد یک‌بار مصرف').fill(lastCode(messageDirs));
  await page.getByRole('button', { name: 'ورود' }).click();
  await page.locator('#welcome').waitFor();
  return page;
}

const staffPages = new Map();
async function staffPage(username) {
  if (staffPages.has(username)) return staffPages.get(username);
  const page = await (await browser.newContext()).newPage();
  await page.goto(base + '/staff/sign-in');
  await page.getByLabel('نام کاربری').fill(username);
  await page.getByLabel('گذرواژه').fill('daftar-demo');
  await page.getByRole('button', { name: 'ورود' }).click();
  await page.waitForURL(/\/staff$/);
  staffPages.set(username, page);
  return page;
}

// Takes `action` on the case page: fills the form's inputs, submits, waits for the notice.
async function act(page, casePath, action, fill = {}) {
  await page.goto(base + casePath);
  const form = page.locator(`form[data-action="${action}"]`);
  assert.equal(await form.count(), 1, `${action} is offered on ${casePath}`);
  for (const [name, value] of Object.entries(fill)) {
    const input = form.locator(`[name="${name}"]`);
    if (name === 'document') await input.setInputFiles(PDF);
    else if (await input.evaluate((e) => e.tagName) === 'SELECT') await input.selectOption(value);
    else await input.fill(value);
  }
  await form.locator('button[type="submit"]').click();
  await page.locator('#notice').waitFor();
  return page.locator('#case-state').innerText();
}

try {
  // The citizen applies, on a phone's width.
  const citizen = await citizenPage();
  await citizen.goto(base + `/services/${PERMIT}`);
  await citizen.locator('#apply').click();
  const form = citizen.locator('#apply-form');
  for (const select of await form.locator('select').all()) {
    await select.selectOption({ index: 1 });
  }
  // One typo in the postal code on the first try.
  const answers = {
    applicant_national_id: '۰۴۹۹۳۷۰۸۹۹', mobile: '09120000001', renewal_code: '01-101-12-0',
    district: '1', postal_code: '161973574', land_area: '180', floors: '3', units: '3',
  };
  for (const input of await form.locator('input[name^="field:"]').all()) {
    const name = (await input.getAttribute('name')).slice('field:'.length);
    if (!(await input.getAttribute('required') !== null)) continue;
    await input.fill(answers[name] ?? 'پاسخ');
  }
  const files = await form.locator('input[type="file"][aria-required="true"]').all();
  assert.ok(files.length >= 5, `the permit asks for its documents (${files.length})`);
  for (const file of files) {
    await file.setInputFiles(PDF);
  }
  await citizen.screenshot({ path: join(screenshots, 'apply.png'), fullPage: true });
  await form.locator('button[type="submit"]').click();

  // The form comes back with the problem listed and tied to its field, and every file
  // kept: fixing the typo needs no upload.
  const summary = citizen.locator('#error-summary');
  await summary.waitFor();
  assert.equal(await summary.locator('a[href="#field-postal_code"]').count(), 1, 'the summary links to the field');
  assert.equal(await citizen.locator('#field-postal_code').getAttribute('aria-invalid'), 'true');
  assert.equal(await citizen.locator('.kept').count(), files.length, 'every file is kept');
  await citizen.screenshot({ path: join(screenshots, 'apply-typo.png'), fullPage: true });
  await citizen.locator('#field-postal_code').fill('1619735744');
  await citizen.locator('#apply-form button[type="submit"]').click();
  // «Check your answers»: the corrected postal code and every file, then send.
  await citizen.locator('#check-form').waitFor();
  assert.match(await citizen.locator('#check-form').innerText(), /۱۶۱۹۷۳۵۷۴۴/);
  await citizen.screenshot({ path: join(screenshots, 'apply-check.png'), fullPage: true });
  await citizen.locator('#confirm').click();
  await citizen.locator('#tracking-code').waitFor();
  await citizen.locator('#applied').waitFor();
  await citizen.screenshot({ path: join(screenshots, 'applied.png'), fullPage: true });
  const casePath = new URL(citizen.url()).pathname;
  assert.match(casePath, /^\/cases\/\d+$/);
  assert.match(await citizen.locator('#case-state').innerText(), /تشکیل پرونده/);

  // Formation finds the file in its queue and returns it for a deficiency.
  const formation = await staffPage('formation');
  await formation.goto(base + '/staff');
  await formation.locator('#queue-formation').click();
  await formation.locator(`#queue a[href="${casePath}"]`).waitFor();
  assert.match(await act(formation, casePath, 'return_for_deficiency', { comment: 'تصویر سند خوانا نیست' }), /رفع نقص/);

  // The applicant answers with a new scan of the deed.
  assert.match(await act(citizen, casePath, 'resubmit', { document_kind: 'title_deed', document: true }), /تشکیل پرونده/);

  // Formation records the detailed-plan inquiry about the demo property and books the
  // inspection visit, both from the case page.
  const clerk = await staffPage('formation');
  await clerk.goto(base + casePath);
  await clerk.locator('#record-inquiry').click();
  await clerk.locator('#inquiry #map-order').waitFor();
  assert.match(await clerk.locator('#inquiry').innerText(), /R111/);
  await clerk.locator('#book-visit').click();
  await clerk.locator('#visit-live').waitFor();
  const visitDay = (await clerk.locator('#visit-live').innerText()).match(/[۰-۹]+ \S+ [۰-۹]{4}/)[0];
  await clerk.screenshot({ path: join(screenshots, 'inquiry-and-visit.png'), fullPage: true });
  // The applicant's SMS names the visit's Jalali day.
  let told = false;
  for (let tries = 0; tries < 100 && !told; tries++) {
    told = messages(messageDirs).some((m) => m.text.includes('بازدید') && m.text.includes(visitDay));
    if (!told) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(told, `an SMS with the visit's day ${visitDay}`);

  const steps = [
    ['formation', 'book_inspection', {}, /بازدید/],
    ['inspection', 'record_inspection', { 'field:built_area_m2': '150' }, /رئیس دفتر/],
    ['office_head', 'head_approves', {}, /مدیر دفتر/],
    ['office_manager', 'manager_approves', {}, /نقشه معماری/],
    ['plan_approval', 'approve_plans', {}, /فضای سبز و آتش‌نشانی/],
    ['municipal_liaison', 'decide', { decision: 'approved_with_conditions', comment: 'حفظ دو درخت' }, /فضای سبز و آتش‌نشانی/],
    ['technical_manager', 'decide', { decision: 'approved' }, /پیش‌نویس صدور پروانه/],
    ['permit_drafting', 'issue_fee_bills', {}, /پیش‌نویس صدور پروانه/],
    ['permit_drafting', 'issue_permit', { 'field:permit_number': '1405-0001', 'field:supervisor_code': '1-23-4567' }, /ارسال به منطقه/],
    ['office_head', 'send_to_district', {}, /ارسال‌شده به منطقه/],
  ];
  for (const [role, action, fill, expected] of steps) {
    const page = await staffPage(role);
    if (action === 'record_inspection') {
      // The inspector draws the sketch by clicking corners on the board (the ground floor
      // a little short, then one edge fixed by typing its measured length), then records it.
      await page.goto(base + casePath);
      const board = page.locator('#draw-board');
      await board.waitFor();
      const clickAt = async (x, y) => {
        await board.scrollIntoViewIfNeeded();
        const box = await board.boundingBox();
        await page.mouse.click(box.x + ((x + 1) / 32) * box.width, box.y + ((20 - y + 1) / 22) * box.height);
      };
      const part = async (level, use, corners) => {
        await page.locator('#draw-level').fill(String(level));
        await page.locator('#draw-use').selectOption(use);
        for (const [x, y] of corners) await clickAt(x, y);
      };
      await part(0, 'parking', [[0, 0], [12, 0], [12, 9], [0, 9]]);
      assert.match(await page.locator('#draw-status').innerText(), /۱۰۸٫۰۰/);
      await page.locator('#draw-edge-2').fill('9.5');
      await page.locator('#draw-edge-2').press('Tab');
      assert.match(await page.locator('#draw-status').innerText(), /۱۱۴٫۰۰/);
      await page.locator('#draw-add').click();
      await part(1, 'residential', [[0, 0], [8, 0], [8, 9.5], [0, 9.5]]);
      await page.locator('#draw-add').click();
      await part(1, 'common', [[8, 0], [12, 0], [12, 9.5], [8, 9.5]]);
      await page.locator('#draw-add').click();
      assert.match(await page.locator('#draw-floors').innerText(), /۱۱۴٫۰۰[\s\S]*۱۱۴٫۰۰/);
      await page.locator('#sketch').screenshot({ path: join(screenshots, 'sketch-drawn.png') });
      await page.getByRole('button', { name: 'ثبت کروکی', exact: true }).click();
      await page.locator('#sketch figure svg').waitFor();
      assert.match(await page.locator('#sketch figcaption').innerText(), /۲۲۸٫۰۰/);
      await page.screenshot({ path: join(screenshots, 'sketch.png'), fullPage: true });
    }
    if (action === 'issue_fee_bills') {
      // Permit drafting ticks its checklist: the scans go with their items.
      await page.goto(base + casePath);
      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator('#checklist').screenshot({ path: join(screenshots, 'permit-checklist-open-390.png') });
      for (const item of ['electrical_sheets', 'mechanical_sheets', 'structural_sheets', 'commitments', 'technical_id_card', 'architecture_sheets']) {
        const form = page.locator(`#checklist li[data-item="${item}"] form`);
        const file = form.locator('input[type="file"]');
        if (await file.count()) await file.setInputFiles(PDF);
        await form.locator('button[type="submit"]').click();
        await page.locator('#notice').waitFor();
        assert.equal(await page.locator(`#checklist li[data-item="${item}"]`).getAttribute('data-done'), 'true', item);
      }
      // The permit waits for its fees.
      await page.setViewportSize({ width: 1366, height: 900 });
      await page.locator('#checklist').screenshot({ path: join(screenshots, 'permit-checklist-1366.png') });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator('#checklist').screenshot({ path: join(screenshots, 'permit-checklist-390.png') });
      assert.equal(await page.locator('#checklist li[data-item="permit_fees"]').getAttribute('data-done'), 'false');
    }
    if (action === 'issue_permit') {
      // The bank's settlement file pays the fee bill the case page lists.
      await page.goto(base + casePath);
      const codes = (await page.locator('#case-bills bdi.code').allInnerTexts())
        .map((text) => text.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))));
      const amount = (await page.locator('#case-bills dd').nth(2).innerText())
        .replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))).replace(/[^0-9]/g, '');
      await page.locator('#case-bills').screenshot({ path: join(screenshots, 'permit-fee-bill.png') });
      // The same sections in English, at a desk's width.
      await page.setViewportSize({ width: 1366, height: 900 });
      await page.goto(base + casePath + '?lang=en');
      await page.locator('#checklist').screenshot({ path: join(screenshots, 'permit-checklist-1366-en.png') });
      await page.locator('#case-bills').screenshot({ path: join(screenshots, 'permit-fee-bill-1366-en.png') });
      await page.goto(base + `/lang/fa?next=${casePath}`);
      await page.setViewportSize({ width: 390, height: 844 });
      const settlement = join(dataDir, 'settlement.csv');
      writeFileSync(settlement, `bill_id,payment_id,amount_rials,paid_at,trace_number\n${codes[0]},${codes[1]},${amount},1405-09-01 10:00,BANK-9\n`);
      execFileSync(daftar, ['payments', 'import', '--data-dir', dataDir, settlement], { stdio: ['ignore', 'ignore', 'inherit'] });
      await page.goto(base + casePath);
      assert.equal(await page.locator('#checklist li[data-item="permit_fees"]').getAttribute('data-done'), 'true');
    }
    if (action === 'approve_plans') {
      // Plan approval sees the map order the inquiry worked out.
      await page.goto(base + casePath);
      await page.locator('#inquiry #map-order').waitFor();
      await page.screenshot({ path: join(screenshots, 'plan-approval-map-order.png'), fullPage: true });
    }
    const state = await act(page, casePath, action, fill);
    assert.match(state, expected, `${role} ${action}`);
  }

  // The applicant sees the file at the district, with its whole history in Persian.
  await citizen.goto(base + casePath);
  assert.match(await citizen.locator('#case-state').innerText(), /ارسال‌شده به منطقه/);
  assert.equal(await citizen.locator('#actions').count(), 0, 'nothing left to do');
  const rows = await citizen.locator('#history tbody tr').count();
  assert.equal(rows, 13);
  await citizen.screenshot({ path: join(screenshots, 'sent-to-district.png'), fullPage: true });

  // Permit drafting extends the permit from the case page: a new permit, a year longer,
  // takes its place, and the old one shows «جایگزین شده».
  const first = await citizen.locator('#issued li.issued').last().getAttribute('data-serial');
  const drafting = await staffPage('permit_drafting');
  await drafting.setViewportSize({ width: 390, height: 844 });
  await drafting.goto(base + casePath);
  const firstCard = drafting.locator(`#issued-${first}`);
  await firstCard.locator('details.manage summary').click();
  await firstCard.screenshot({ path: join(screenshots, 'permit-manage-390.png') });
  await firstCard.locator('button.extend').click();
  await drafting.waitForURL(/done=1/);
  assert.equal(await drafting.locator(`#issued-${first}`).getAttribute('data-status'), 'superseded');

  // The citizen downloads the extended permit and reads it back.
  // The inspection report was issued at the inspection; the extended permit is the last.
  await citizen.goto(base + casePath);
  const serial = await citizen.locator('#issued li.issued').last().getAttribute('data-serial');
  assert.notEqual(serial, first);
  assert.equal(await citizen.locator('#issued li.issued').count(), 3);
  assert.equal(await citizen.locator(`#issued-${serial}`).getAttribute('data-status'), 'valid');
  await citizen.locator('#issued').screenshot({ path: join(screenshots, 'permit-issued-390.png') });
  const [download] = await Promise.all([
    citizen.waitForEvent('download'),
    citizen.locator(`#issued a[href="/issued/${serial}/pdf"]`).click(),
  ]);
  const pdfPath = join(dataDir, 'permit.pdf');
  await download.saveAs(pdfPath);
  const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  // Persian digits read as Latin, and pdftotext's direction marks left out.
  const latin = text.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d)))
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
  assert.match(text, /پروانه ساختمانی/);
  assert.ok(latin.includes(`${serial.slice(0, 4)}-${serial.slice(4, 8)}-${serial.slice(8)}`), `serial ${serial}`);
  assert.ok(latin.includes(`${first.slice(0, 4)}-${first.slice(4, 8)}-${first.slice(8)}`), `replaces ${first}`);
  assert.match(latin, /تعداد طبقات\s+2|2\s+تعداد طبقات/, latin);
  assert.match(text, /کروکی ساختمان/, 'the sketch on its second page');
  // 300 dpi, as a phone's camera sees a printed page: a permit's QR code carries every
  // fact (version 25 or more), and at 150 dpi its modules are under two pixels.
  execFileSync('pdftoppm', ['-r', '300', '-png', '-f', '1', '-l', '2', pdfPath, join(dataDir, 'permit')]);
  execFileSync('cp', [join(dataDir, 'permit-1.png'), join(screenshots, 'permit-pdf-page-1.png')]);
  execFileSync('cp', [join(dataDir, 'permit-2.png'), join(screenshots, 'permit-pdf-page-2.png')]);
  const image = PNG.sync.read(readFileSync(join(dataDir, 'permit-1.png')));
  const qr = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  assert.ok(qr && qr.data.startsWith(`${base}/verify/${serial}#`), qr?.data);
  await citizen.goto(qr.data);
  assert.equal(await citizen.locator('#issued-status').getAttribute('data-status'), 'valid');
  assert.match(await citizen.locator('main').innerText(), /پروانه ساختمانی/);
  assert.match(await citizen.locator('main').innerText(), /دفعات تمدید\s+۱/);
  await citizen.screenshot({ path: join(screenshots, 'permit-verify-valid-390.png'), fullPage: true });
  await citizen.goto(base + `/verify/${first}`);
  assert.equal(await citizen.locator('#issued-status').getAttribute('data-status'), 'superseded');

  // Revoked by permit drafting on the case page, with a reason: the same address says so.
  await drafting.goto(base + casePath);
  const card = drafting.locator(`#issued-${serial}`);
  await card.locator('details.manage summary').click();
  await card.locator('textarea[name="reason"]').fill('صدور با شماره نادرست');
  await card.locator('button.revoke').click();
  await drafting.waitForURL(/done=1/);
  assert.equal(await drafting.locator(`#issued-${serial}`).getAttribute('data-status'), 'revoked');
  await drafting.setViewportSize({ width: 1366, height: 900 });
  await drafting.locator('#issued').screenshot({ path: join(screenshots, 'permit-issued-after-1366.png') });
  await citizen.goto('about:blank');
  await citizen.goto(qr.data);
  assert.equal(await citizen.locator('#issued-status').getAttribute('data-status'), 'revoked');
  console.log(`building-permit browser test passed against ${base}; screenshots in ${screenshots}`);
} finally {
  await browser.close();
  server?.kill('SIGTERM');
}
