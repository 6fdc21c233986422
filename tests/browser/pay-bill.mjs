// A citizen pays a bill online through the development gateway and prints the receipt,
// in real headless Chromium at a phone's width (390 px) and a desktop's (1366 px): the
// bill is looked up by its property, «پرداخت اینترنتی» leads to the gateway's page
// (marked «درگاه آزمایشی»), paying leads back to a receipt with its reference number and
// a print button, and the bill is then paid. A cancelled payment leaves the bill unpaid.
// Starts its own `daftar serve --demo`; DAFTAR_DATABASE_URL, when set, runs it on that
// database instead of SQLite.
//
//   node pay-bill.mjs path/to/daftar

import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { launchBrowser, startServer } from './support.mjs';

const daftar = process.argv[2] ?? '../../target/debug/daftar';
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-pay-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });

/// Looks up the bills of a demo property on the public tracking page.
async function trackProperty(page, base, renewalCode) {
  await page.goto(base + '/bills/track');
  await page.getByLabel('منطقه').fill('۱');
  await page.getByLabel('کد نوسازی').fill(renewalCode);
  await page.getByRole('button', { name: 'پیگیری' }).click();
  await page.locator('#result').waitFor();
}

async function noOverflow(page, where) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${where} overflows by ${overflow} px`);
}

const { server, base } = await startServer(daftar, dataDir);
const browser = await launchBrowser();
try {
  const properties = { 390: '01-101-12-0', 1366: '01-102-07-0' };
  for (const width of [390, 1366]) {
    const page = await browser.newPage({ viewport: { width, height: width > 400 ? 900 : 844 } });
    assert.match(await (await page.goto(base + '/')).text(), /درگاه آزمایشی/, 'the demo says its gateway is a test one');

    // Cancelled first: the bill stays unpaid, and the receipt says so.
    await trackProperty(page, base, properties[width]);
    await page.getByRole('button', { name: 'پرداخت اینترنتی' }).first().click();
    await page.getByRole('heading', { name: 'درگاه آزمایشی' }).waitFor();
    await page.locator('#dev-cancel').click();
    await page.locator('#receipt[data-status="failed"]').waitFor();
    assert.match(await page.locator('main').innerText(), /پرداخت انجام نشد/);
    await page.screenshot({ path: join(screenshots, `${width}-cancelled.png`), fullPage: true });

    // Then paid, from the receipt's «دوباره پرداخت کنید».
    await page.getByRole('button', { name: 'دوباره پرداخت کنید' }).click();
    await page.getByRole('heading', { name: 'درگاه آزمایشی' }).waitFor();
    await noOverflow(page, `the gateway at ${width}`);
    await page.screenshot({ path: join(screenshots, `${width}-gateway.png`), fullPage: true });
    await page.locator('#dev-pay').click();
    await page.locator('#receipt[data-status="paid"]').waitFor();
    const refId = await page.locator('#ref-id').innerText();
    assert.match(refId, /^[۰-۹]{10}$/, `a reference number in Persian digits: ${refId}`);
    assert.ok(!/0499370899|۰۴۹۹۳۷۰۸۹۹/.test(await page.content()), 'no national ID on the receipt');
    await noOverflow(page, `the receipt at ${width}`);
    await page.screenshot({ path: join(screenshots, `${width}-receipt.png`), fullPage: true });

    // «چاپ» opens the print dialog; the printed receipt has no navigation or buttons.
    await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
    await page.getByRole('button', { name: 'چاپ' }).click();
    assert.equal(await page.evaluate(() => window.printed), 1, 'the print button prints');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.site-nav').isVisible(), false, 'no navigation in print');
    assert.equal(await page.getByRole('button', { name: 'چاپ' }).isVisible(), false, 'no buttons in print');
    assert.equal(await page.locator('.print-head').isVisible(), true, 'the municipality and date in print');
    await page.screenshot({ path: join(screenshots, `${width}-receipt-print.png`), fullPage: true });
    await page.emulateMedia({ media: 'screen' });

    // The bill is paid now, under the reference number, and has nothing more to pay.
    await trackProperty(page, base, properties[width]);
    const card = page.locator('article.bill').first();
    assert.equal(await card.locator('[data-status]').getAttribute('data-status'), 'paid');
    assert.equal(await card.getByRole('button', { name: 'پرداخت اینترنتی' }).count(), 0);
    await page.close();
  }
  console.log(`pay-bill browser test passed against ${base}; screenshots in ${screenshots}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
