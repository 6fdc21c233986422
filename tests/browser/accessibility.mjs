// Every page, in Persian and in English, checked in real headless Chromium:
// - axe-core finds no serious or critical violation (at 1366 px);
// - every text on the page has a contrast of at least 4.5:1 against what is behind it
//   (3:1 for large text), checked here by script since axe skips much of Persian text;
// - no page overflows horizontally at 320 px.
// Pages are visited signed out, as a citizen (a case of theirs, a bill paid through the
// development gateway and its receipt among them) and as a clerk. Starts its own
// `daftar serve --demo`; DAFTAR_DATABASE_URL, when set, runs it on that database.
//
//   node accessibility.mjs path/to/daftar

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { lastCode, launchBrowser, startServer } from './support.mjs';

const daftar = process.argv[2] ?? '../../target/debug/daftar';
const here = dirname(fileURLToPath(import.meta.url));
const axeSource = join(here, 'node_modules', 'axe-core', 'axe.min.js');
const dataDir = mkdtempSync(join(tmpdir(), 'daftar-a11y-'));
const PERMIT = '10010101018th01';

// The contrast of every visible text against the first opaque background behind it.
function contrastFailures() {
  const parse = (color) => {
    const m = color.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const luminance = ({ r, g, b }) => {
    const channel = (c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const blend = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const background = (element) => {
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const color = parse(getComputedStyle(node).backgroundColor);
      if (color && color.a > 0) {
        layers.push(color);
        if (color.a >= 1) break;
      }
    }
    let result = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) result = blend(layer, result);
    return result;
  };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const element = text.parentElement;
    if (!element || seen.has(element) || !text.textContent.trim()) continue;
    seen.add(element);
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0) continue;
    if (element.closest('[hidden], option, script, style, .skip')) continue;
    const fg = parse(style.color);
    if (!fg) continue;
    const bg = background(element);
    const color = blend(fg, bg);
    const [light, dark] = [luminance(color), luminance(bg)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      failures.push(`${ratio.toFixed(2)}:1 «${text.textContent.trim().slice(0, 40)}» (${element.tagName.toLowerCase()}.${element.className})`);
    }
  }
  return failures;
}

const { server, base } = await startServer(daftar, dataDir);
const browser = await launchBrowser();
const problems = [];
try {
  const anonymous = await browser.newContext({ bypassCSP: true });

  const citizen = await browser.newContext({ bypassCSP: true });
  {
    const page = await citizen.newPage();
    await page.goto(base + '/sign-in');
    await page.locator('#national_id').fill('0499370899');
    await page.locator('#mobile').fill('09120000001');
    await page.keyboard.press('Enter');
    await page.locator('#code').waitFor();
    await page.locator('#code').fill(lastCode(dataDir));
    await Promise.all([page.waitForURL(`${base}/`), page.keyboard.press('Enter')]);
    // A case of their own, for its page.
    await page.goto(`${base}/services/${PERMIT}/apply`);
    await page.close();
  }
  const clerk = await browser.newContext({ bypassCSP: true });
  {
    const page = await clerk.newPage();
    await page.goto(base + '/staff/sign-in');
    await page.locator('#username').fill('formation');
    await page.locator('#password').fill('daftar-demo');
    await Promise.all([page.waitForURL(`${base}/staff`), page.keyboard.press('Enter')]);
    await page.close();
  }

  // A case of the citizen's, opened through the API, for the case pages; and a bill paid
  // through the development gateway, for its page and the receipt.
  // The page's session is a session like the API's: its token signs the API calls.
  const token = (await citizen.cookies()).find((cookie) => cookie.name === 'daftar_session').value;
  const pdf = Buffer.from('%PDF-1.7 scan').toString('base64');
  const opened = await fetch(`${base}/api/v1/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      service_id: '10010101001th01',
      answers: { applicant_national_id: '0499370899', mobile: '09120000001', renewal_code: '01-101-12-0',
        district: '1', postal_code: '1619735744', purpose: 'other' },
      documents: ['national_card', 'title_deed', 'renewal_receipt']
        .map((kind) => ({ kind, file_name: `${kind}.pdf`, content_base64: pdf })),
    }),
  });
  assert.equal(opened.status, 201);
  const casePath = `/cases/${(await opened.json()).id}`;
  let gatewayPath;
  let receiptPath;
  {
    const page = await citizen.newPage();
    await page.goto(`${base}/bills/track?district=1&renewal_code=01-102-07-0`);
    await page.locator('button:has-text("پرداخت اینترنتی")').first().click();
    await page.locator('#dev-pay').waitFor();
    gatewayPath = new URL(page.url()).pathname;
    await page.locator('#dev-pay').click();
    await page.locator('#receipt').waitFor();
    receiptPath = new URL(page.url()).pathname;
    await page.close();
  }

  const visits = [
    [anonymous, ['/', '/services', `/services/${PERMIT}`, '/bills/track',
      '/bills/track?district=1&renewal_code=01-101-12-0', '/bills/track?bill_id=1&payment_id=2',
      '/cases/track', '/clearance/verify', '/verify', '/outages', '/surveys', '/sign-in', '/staff/sign-in', '/design', '/no-such-page',
      '/staff/queues/formation']],
    [citizen, ['/', '/cases', `/services/${PERMIT}/apply`, '/clearance', '/bills/track?district=1&renewal_code=01-101-12-0',
      casePath, `${casePath}?applied=1`, `${casePath}/survey`, receiptPath, gatewayPath, '/properties/1/01-101-12-0']],
    [clerk, ['/staff', '/staff/queues/formation', '/staff/units/formation', casePath, `${casePath}?done=1`,
      '/staff/zoning?lon=51.425&lat=35.805', '/staff/zoning?lon=abc&lat=35', '/staff/visits',
      '/properties/1/01-101-12-0', '/staff/fire-safety-firms']],
  ];
  let checked = 0;
  for (const [context, paths] of visits) {
    const page = await context.newPage();
    for (const path of paths) {
      for (const lang of ['fa', 'en']) {
        const url = `${base}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
        await page.setViewportSize({ width: 1366, height: 900 });
        await page.goto(url);
        await page.addScriptTag({ path: axeSource });
        const result = await page.evaluate(async () =>
          (await window.axe.run(document, { resultTypes: ['violations'] })).violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`));
        for (const violation of result) problems.push(`${path} [${lang}] axe ${violation}`);
        for (const failure of await page.evaluate(contrastFailures)) problems.push(`${path} [${lang}] contrast ${failure}`);
        await page.setViewportSize({ width: 320, height: 800 });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) problems.push(`${path} [${lang}] overflows by ${overflow} px at 320 px`);
        checked += 1;
      }
    }
    await page.close();
  }
  assert.deepEqual(problems, [], `accessibility problems:\n${problems.join('\n')}`);
  console.log(`accessibility test passed: ${checked} pages in Persian and English, against ${base}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
