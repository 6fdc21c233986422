// The satisfaction survey, in real headless Chromium: a citizen on a phone signs in; five
// of their cases are closed and four answered (through the API, with the session the
// page holds); the public results page withholds the service below five responses; the
// citizen finds the invitation on their list of cases, answers the fifth on the page
// (one item left out first: refused, the choices kept), and the results page then draws
// the service's and the unit's charts, in Persian and in English. Screenshots at 390 and
// 1366 px. Starts its own `daftar serve --demo`; DAFTAR_DATABASE_URL runs it on that
// database.
//
//   node survey.mjs path/to/daftar

import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { accessible, lastCode, launchBrowser, startServer } from './support.mjs';

const daftar = process.argv[2];
if (!daftar) throw new Error('usage: node survey.mjs path/to/daftar');
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-survey-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
const extra = process.env.DAFTAR_DATABASE_URL ? ['--database-url', process.env.DAFTAR_DATABASE_URL] : [];
const { server, base } = await startServer(daftar, dataDir, extra);
const browser = await launchBrowser();
const SERVICE = '10010101001th01';

async function api(path, body, token) {
  const response = await fetch(base + path, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : {} };
}

/// No part of the page wider than the screen.
async function noOverflow(page, where) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${where} overflows by ${overflow}px`);
}

try {
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

  // Five cases filed and withdrawn: closed. Four answered through the API.
  const pdf = Buffer.from('%PDF-1.7 scan').toString('base64');
  const documents = ['national_card', 'title_deed', 'renewal_receipt']
    .map((kind) => ({ kind, file_name: `${kind}.pdf`, content_base64: pdf }));
  const answers = {
    applicant_national_id: '0499370899', mobile: '09120000001', renewal_code: '01-101-12-0',
    district: '1', postal_code: '1619735744', purpose: 'other',
  };
  const cases = [];
  for (let i = 0; i < 5; i += 1) {
    const opened = await api('/api/v1/cases', { service_id: SERVICE, answers, documents }, token);
    assert.equal(opened.status, 201, JSON.stringify(opened.json));
    const closed = await api(`/api/v1/cases/${opened.json.id}/actions`, { action: 'withdraw', version: opened.json.version }, token);
    assert.equal(closed.status, 200, JSON.stringify(closed.json));
    assert.equal(closed.json.closed, true);
    cases.push(closed.json);
  }
  for (const [i, kase] of cases.slice(0, 4).entries()) {
    const score = [5, 4, 4, 3][i];
    const kept = await api(`/api/v1/cases/${kase.id}/survey`, {
      scores: { informed: score, on_time: score, no_rework: score, conduct: 5, overall: score },
      remark: 'یادداشتی که نباید منتشر شود',
    }, token);
    assert.equal(kept.status, 204, JSON.stringify(kept.json));
  }

  // Four responses: nothing published yet.
  const visitor = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await visitor.goto(base + '/surveys');
  assert.equal(await visitor.locator(`#service-${SERVICE}`).count(), 0);
  await visitor.locator('#surveys-none').waitFor();

  // The citizen finds the invitation on their list of cases and answers on the page.
  await phone.goto(base + '/cases');
  const links = phone.locator('.survey-link');
  assert.equal(await links.count(), 1, 'only the unanswered case');
  await links.first().click();
  await phone.locator('#survey-form').waitFor();
  assert.equal(await phone.locator('#survey-form fieldset').count(), 5);
  await noOverflow(phone, 'the survey form');
  await accessible(phone, 'the survey form');
  const items = ['informed', 'on_time', 'no_rework', 'conduct', 'overall'];
  // Every choice is a labelled radio: chosen by its label's text, as a person would.
  for (const item of items.slice(0, 4)) {
    await phone.locator(`#item-${item}`).getByLabel('۵ خیلی زیاد').check();
  }
  await phone.locator('#survey-remark').fill('کارها زود انجام شد.');
  await phone.screenshot({ path: join(screenshots, 'survey-form-390.png'), fullPage: true });
  // The browser itself asks for the missing item; sent anyway, the server refuses it too.
  await phone.evaluate(() => document.querySelector('#survey-form').setAttribute('novalidate', ''));
  await phone.locator('#send-survey').click();
  await phone.locator('#survey-error').waitFor();
  assert.match(await phone.locator('#survey-error').innerText(), /همهٔ پرسش‌ها/);
  assert.equal(await phone.locator('#item-conduct input[value="5"]').isChecked(), true, 'choices kept');
  assert.equal(await phone.locator('fieldset.missing').count(), 1, 'the one left out is marked');
  assert.equal(await phone.locator('#item-overall input[aria-invalid="true"]').count(), 5);
  assert.match(await phone.locator('#item-overall-error').innerText(), /برگزینید/);
  assert.equal(await phone.locator('#survey-remark').inputValue(), 'کارها زود انجام شد.');
  await phone.screenshot({ path: join(screenshots, 'survey-refused-390.png'), fullPage: true });
  await accessible(phone, 'the survey form refused');
  await phone.locator('#item-overall').getByLabel('۴ زیاد').check();
  await phone.locator('#send-survey').click();
  await phone.waitForURL(/survey=thanks/);
  assert.match(await phone.locator('#notice, .banner-success').first().innerText(), /سپاسگزاریم/);
  assert.equal(await phone.locator('#survey-invitation').count(), 0);
  await phone.goto(base + '/cases');
  assert.equal(await phone.locator('.survey-link').count(), 0);

  // Five responses: the charts, per service and per unit; no remark anywhere.
  for (const [width, lang] of [[390, 'fa'], [1366, 'fa'], [1366, 'en'], [390, 'en']]) {
    const context = await browser.newContext({ viewport: { width, height: width > 400 ? 900 : 844 }, bypassCSP: true });
    if (lang === 'en') await context.addCookies([{ name: 'lang', value: 'en', url: base }]);
    const page = await context.newPage();
    await page.goto(base + '/surveys');
    const service = page.locator(`#service-${SERVICE}`);
    assert.equal(await service.locator('svg.bar').count(), 5);
    assert.match(await service.locator('.survey-count').innerText(), lang === 'fa' ? /۵ پاسخ/ : /5 responses/);
    assert.equal(await page.locator('#unit-formation svg.bar').count(), 5);
    // Conduct: four fives and a five; informed: 5, 4, 4, 3 and 5.
    const means = await service.locator('td.mean').allInnerTexts();
    assert.deepEqual(means, lang === 'fa' ? ['۴٫۲', '۴٫۲', '۴٫۲', '۵٫۰', '۴٫۰'] : ['4.2', '4.2', '4.2', '5.0', '4.0']);
    const body = await page.content();
    assert.ok(!body.includes('نباید منتشر شود') && !body.includes('زود انجام شد'), 'remarks are never published');
    await noOverflow(page, `/surveys at ${width}`);
    await accessible(page, `/surveys at ${width} in ${lang}`);
    await page.screenshot({ path: join(screenshots, `surveys-${lang}-${width}.png`), fullPage: true });
  }
  const csv = await fetch(base + '/surveys.csv');
  assert.equal(csv.status, 200);
  assert.match(await csv.text(), /^month,scope,key/);
  console.log('survey: the applicant answered, and the results page drew the charts');
} finally {
  await browser.close();
  server.kill();
}
