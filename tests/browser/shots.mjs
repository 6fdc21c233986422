// Temporary: screenshots of pages at 390 and 1366 px wide.
import { chromium } from "playwright-core";
const [base, out, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
for (const width of [390, 1366]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  for (const path of paths) {
    await page.goto(base + path);
    const name = path.replace(/[^a-z0-9]+/gi, "_");
    await page.screenshot({ path: `${out}/${width}${name}.png`, fullPage: process.env.FULL === "1" });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    console.log(width, path, "overflow", overflow);
  }
  await page.close();
}
await browser.close();
