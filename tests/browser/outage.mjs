// A planned outage, in real headless Chromium: the system admin signs in (password and
// the authenticator code), announces an outage on /outages for tomorrow night with Jalali
// day and Tehran time, and every page a citizen opens (home, services, bill tracking)
// shows its banner in Persian, and in English after switching; the public list and its
// Atom feed carry it; withdrawn, the banner is gone. Screenshots at 390 and 1366 px.
// Starts its own `daftar serve --demo`; DAFTAR_DATABASE_URL runs it on that database.
//
//   node outage.mjs path/to/daftar

import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, persian } from './support.mjs';

const daftar = process.argv[2];
if (!daftar) throw new Error('usage: node outage.mjs path/to/daftar');
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-outage-'));
const screenshots = process.env.SCREENSHOT_DIR ?? join(dataDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
const extra = process.env.DAFTAR_DATABASE_URL ? ['--database-url', process.env.DAFTAR_DATABASE_URL] : [];
const { server, base } = await startServer(daftar, dataDir, extra);
const browser = await launchBrowser();

/// The code an authenticator app shows now for a base32 secret (RFC 6238: SHA-1, six
/// digits, thirty seconds), as the demo's system admin has set one up.
function totp(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

try {
  const admin = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  await admin.goto(base + '/staff/sign-in');
  await admin.getByLabel('نام کاربری').fill('system_admin');
  await admin.getByLabel('گذرواژه').fill('daftar-demo');
  await admin.locator('#second_factor').fill(totp('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'));
  await admin.getByRole('button', { name: 'ورود' }).click();
  await admin.waitForURL(/\/staff$/);

  // Tomorrow's Jalali day, as the list of days offers it: the banner shows within 48 hours.
  await admin.goto(base + '/outages');
  await admin.locator('#outage-form').waitFor();
  const today = await (await fetch(base + '/api/v1/outages')).json();
  assert.deepEqual(today.outages, []);
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  const jalali = new Intl.DateTimeFormat('en-u-ca-persian-nu-latn', { timeZone: 'Asia/Tehran', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(tomorrow).reduce((parts, p) => ({ ...parts, [p.type]: p.value }), {});
  const day = `${jalali.year}-${jalali.month}-${jalali.day}`;
  await admin.locator('#outage-from-day').fill(persian(day));
  await admin.locator('#outage-from-time').fill('22:00');
  await admin.locator('#outage-to-day').fill(day);
  await admin.locator('#outage-to-time').fill('21:00');
  await admin.locator('#outage-affected-fa').fill('پرداخت قبض و پیگیری پرونده');
  await admin.locator('#outage-affected-en').fill('Bill payment and case tracking');
  await admin.locator('#announce-outage').click();
  // Ending before it begins is refused at the form, with what was typed kept.
  assert.match(await admin.locator('#outage-error').innerText(), /پس از آغاز/);
  assert.equal(await admin.locator('#outage-affected-fa').inputValue(), 'پرداخت قبض و پیگیری پرونده');
  await admin.locator('#outage-to-time').fill('23:30');
  await admin.locator('#announce-outage').click();
  await admin.waitForURL(/done=1/);
  assert.equal(await admin.locator('#outages li[data-phase="coming"]').count(), 1);
  await admin.screenshot({ path: join(screenshots, 'outages-admin-1366.png'), fullPage: true });

  // A citizen on a phone sees the banner on every page, in Persian, then in English.
  const citizen = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  for (const path of ['/', '/services', '/bills/track']) {
    await citizen.goto(base + path);
    const banner = citizen.locator('.outage-banner');
    assert.equal(await banner.count(), 1, path);
    assert.match(await banner.innerText(), /قطعی برنامه‌ریزی‌شده:\s*پرداخت قبض و پیگیری پرونده، از .+ تا .+/);
  }
  await citizen.goto(base + '/');
  await citizen.screenshot({ path: join(screenshots, 'outage-banner-390.png') });
  await citizen.goto(base + '/lang/en?next=/');
  assert.match(await citizen.locator('.outage-banner').innerText(), /Planned outage:\s*Bill payment and case tracking, from .+ to .+/);
  await citizen.screenshot({ path: join(screenshots, 'outage-banner-390-en.png') });
  await citizen.goto(base + '/lang/fa?next=/outages');
  assert.equal(await citizen.locator('#outage-form').count(), 0, 'no form for a citizen');
  await citizen.locator('.outage-banner a').click();
  await citizen.waitForURL(/\/outages$/);
  await citizen.screenshot({ path: join(screenshots, 'outages-390.png'), fullPage: true });
  const feed = await fetch(base + '/outages.atom');
  assert.match(feed.headers.get('content-type'), /application\/atom\+xml/);
  assert.match(await feed.text(), /<title>پرداخت قبض و پیگیری پرونده<\/title>/);

  // Withdrawn: the banner is gone.
  await admin.goto(base + '/outages');
  await admin.locator('#outages button.withdraw').click();
  await admin.waitForURL(/done=1/);
  await citizen.goto(base + '/');
  assert.equal(await citizen.locator('.outage-banner').count(), 0);
  console.log(`outage browser test passed against ${base}; screenshots in ${screenshots}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
