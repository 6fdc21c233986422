// Complaints, in real headless Chromium: a citizen on a phone, whose case formation worked
// on, goes from the service's card to the complaint form and files a complaint about the
// formation clerk; internal inspection finds it in its queue and answers it with a finding;
// the clerk named can neither open it nor find it in a queue; the citizen reads the answer
// on the case page and rates it, which closes it. Then an anonymous suggestion from a
// desktop gets its tracking code. Screenshots at 390 and 1366 px, axe-core on each form.
// Starts its own `daftar serve --demo`; DAFTAR_DATABASE_URL runs it on that database.
//
//   node complaint.mjs path/to/daftar

import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { accessible, lastCode, launchBrowser, startServer } from './support.mjs';

const daftar = process.argv[2];
if (!daftar) throw new Error('usage: node complaint.mjs path/to/daftar');
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-complaint-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
const extra = process.env.DAFTAR_DATABASE_URL ? ['--database-url', process.env.DAFTAR_DATABASE_URL] : [];
const { server, base } = await startServer(daftar, dataDir, extra);
const browser = await launchBrowser();
const SERVICE = '10010101001th01';

async function api(path, body, token) {
  const response = await fetch(base + path, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : {} };
}

async function staffPage(username, width) {
  const context = await browser.newContext({ viewport: { width, height: width > 400 ? 900 : 844 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(base + '/staff/sign-in');
  await page.getByLabel('نام کاربری').fill(username);
  await page.getByLabel('گذرواژه').fill('daftar-demo');
  await page.getByRole('button', { name: 'ورود' }).click();
  await page.waitForURL(/\/staff$/);
  return page;
}

async function noOverflow(page, where) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${where} overflows by ${overflow}px`);
}

try {
  // The citizen signs in on a phone.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const phone = await context.newPage();
  await phone.goto(base + '/sign-in');
  await phone.getByLabel('کد ملی').fill('0499370899');
  await phone.getByLabel('شماره تلفن همراه').fill('09120000001');
  await phone.keyboard.press('Enter');
  await phone.getByLabel('کد یک‌بار مصرف').waitFor();
  await phone.getByLabel('کد یک‌بار مصرف').fill(lastCode(dataDir));
  await phone.getByRole('button', { name: 'ورود' }).click();
  await phone.locator('#welcome').waitFor();
  const token = (await context.cookies()).find((c) => c.name === 'daftar_session').value;

  // One of their cases, which the formation clerk completed (through the API).
  const pdf = Buffer.from('%PDF-1.7 scan').toString('base64');
  const documents = ['national_card', 'title_deed', 'renewal_receipt']
    .map((kind) => ({ kind, file_name: `${kind}.pdf`, content_base64: pdf }));
  const answers = {
    applicant_national_id: '0499370899', mobile: '09120000001', renewal_code: '01-101-12-0',
    district: '1', postal_code: '1619735744', purpose: 'other',
  };
  const opened = await api('/api/v1/cases', { service_id: SERVICE, answers, documents }, token);
  assert.equal(opened.status, 201, JSON.stringify(opened.json));
  const formationToken = (await api('/api/v1/auth/token', { username: 'formation', password: 'daftar-demo' })).json.token;
  const done = await api(`/api/v1/cases/${opened.json.id}/actions`, { action: 'complete', version: opened.json.version }, formationToken);
  assert.equal(done.status, 200, JSON.stringify(done.json));

  // 1. From the service's card to the form; a complaint about the clerk.
  await phone.goto(`${base}/services/${SERVICE}`);
  await phone.locator('#complain').click();
  await phone.waitForURL(/\/complaints\/new\?service=/);
  await accessible(phone, 'the complaint form');
  await noOverflow(phone, 'the complaint form at 390');
  await phone.screenshot({ path: join(screenshots, 'complaint-form-390.png'), fullPage: true });
  await phone.getByLabel('شکایت از کارمند یا رفتار او').check();
  // Offered: nobody, and the one clerk who worked on their case.
  const offered = await phone.locator('#field-named_staff option').allTextContents();
  assert.equal(offered.length, 2, offered.join(' | '));
  await phone.getByLabel('کارمند نام‌برده', { exact: true }).selectOption({ index: 1 });
  await phone.getByLabel('متن', { exact: true }).fill('کارشناس پاسخ پرسش‌هایم را نداد و با بی‌احترامی رفتار کرد.');
  await phone.getByRole('button', { name: 'ثبت' }).click();
  await phone.waitForURL(/\/cases\/\d+\?filed=1/);
  await phone.locator('#applied').waitFor();
  await phone.screenshot({ path: join(screenshots, 'complaint-filed-390.png'), fullPage: true });
  const complaintPath = new URL(phone.url()).pathname;

  // The clerk named: not in any queue, and the case does not exist for them.
  const clerk = await staffPage('formation', 1366);
  await clerk.goto(base + complaintPath);
  assert.equal(await clerk.locator('h1').textContent().then((t) => t.includes('کارشناس پاسخ')), false);
  const clerkSees = await clerk.evaluate(() => document.body.innerText);
  assert.ok(!clerkSees.includes('۰۴۹۹۳۷۰۸۹۹') && !clerkSees.includes('0499370899'), 'the clerk sees who filed it');
  const answer = await clerk.goto(base + complaintPath);
  assert.equal(answer.status(), 404);

  // Internal inspection finds it in its queue and answers with a finding.
  const inspection = await staffPage('internal_inspection', 1366);
  await inspection.goto(base + '/staff/queues/internal_inspection');
  await inspection.locator(`a[href="${complaintPath}"]`).first().click();
  await inspection.locator('form[data-action="answer_with_finding"]').waitFor();
  const form = inspection.locator('form[data-action="answer_with_finding"]');
  await form.getByLabel('پاسخ').fill('با کارشناس گفتگو شد و تذکر کتبی گرفت. از شکیبایی شما سپاسگزاریم.');
  await form.getByLabel('نتیجهٔ رسیدگی به رفتار کارمند').selectOption('upheld');
  await accessible(inspection, 'the complaint as internal inspection sees it');
  await inspection.screenshot({ path: join(screenshots, 'complaint-inspection-1366.png'), fullPage: true });
  await form.getByRole('button').last().click();
  await inspection.locator('#notice').waitFor();
  await inspection.goto(base + '/staff/conduct');
  await inspection.locator('#conduct-named a').first().click();
  await inspection.locator('#conduct-record tr[data-finding="upheld"]').waitFor();
  await inspection.screenshot({ path: join(screenshots, 'conduct-record-1366.png'), fullPage: true });

  // 2. The citizen reads the answer and rates it.
  await phone.goto(base + complaintPath);
  const page = await phone.evaluate(() => document.body.innerText);
  assert.ok(page.includes('تذکر کتبی'), 'the answer is on the page');
  const rate = phone.locator('form[data-action="rate"]');
  await rate.getByLabel('امتیاز شما به پاسخ').selectOption('score_4');
  await accessible(phone, 'the answered complaint');
  await noOverflow(phone, 'the answered complaint at 390');
  await phone.screenshot({ path: join(screenshots, 'complaint-answered-390.png'), fullPage: true });
  await rate.getByRole('button').last().click();
  await phone.locator('#notice').waitFor();
  const closed = await api(`/api/v1${complaintPath}`, null, token);
  assert.equal(closed.json.state, 'closed');
  assert.equal(closed.json.fields.rating, 'score_4');

  // An anonymous suggestion, from a desktop: only its tracking code.
  const desk = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true })).newPage();
  await desk.goto(base + '/');
  await desk.locator('#footer-complaint').click();
  await desk.locator('#complaint-sign-in').waitFor();
  await desk.screenshot({ path: join(screenshots, 'complaint-form-anonymous-1366.png'), fullPage: true });
  await desk.getByLabel('پیشنهاد', { exact: true }).check();
  await desk.getByLabel('متن', { exact: true }).fill('لطفاً ساعت کار دفتر را تا ساعت ۱۶ ادامه دهید.');
  await desk.getByRole('button', { name: 'ثبت' }).click();
  await desk.locator('#complaint-filed').waitFor();
  await accessible(desk, 'the anonymous suggestion filed');
  await desk.screenshot({ path: join(screenshots, 'complaint-anonymous-filed-1366.png'), fullPage: true });
  console.log('complaint: filed, kept from the clerk named, answered with a finding, rated; a suggestion filed anonymously');
} finally {
  await browser.close();
  server.kill();
}
