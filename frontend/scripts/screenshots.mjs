// Takes full-page screenshots of each page with Debian's Chromium.
// Usage: node scripts/screenshots.mjs http://127.0.0.1:PORT [outdir]
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';

const base = process.argv[2];
const out = process.argv[3] || 'screenshots';
if (!base) throw new Error('usage: node scripts/screenshots.mjs BASE_URL [OUTDIR]');
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const res = await fetch(base + '/api/results?limit=50');
const reports = (await res.json()).reports ?? [];
const flagged = reports.find((r) => r.abnormalCount > 0) ?? reports[0];
const pages = [
  ['home', '#/'],
  ['results', '#/results'],
  ['health', '#/health'],
  ['visits', '#/visits'],
  ['documents', '#/documents'],
  ['details', '#/details'],
  ['about', '#/about-your-record'],
  ['search', '#/search?q=hba'],
  ['timeline', '#/timeline'],
  ['other', '#/other'],
  ['import', '#/import'],
  ['help', '#/help'],
  ['notfound', '#/nope'],
];
if (flagged) {
  pages.splice(2, 0, ['report', '#/results/' + encodeURIComponent(flagged.id)]);
  const key = (flagged.results ?? []).find((r) => r.flag && r.testKey)?.testKey;
  if (key) pages.splice(3, 0, ['history', '#/tests/' + encodeURIComponent(key)]);
}
const docs = (await (await fetch(base + '/api/documents')).json()).documents ?? [];
if (docs[0]) pages.push(['document', '#/documents/' + encodeURIComponent(docs[0].id)]);

for (const [w, h, tag] of [[1280, 900, 'desktop'], [390, 844, 'mobile']]) {
  const page = await browser.newPage({ viewport: { width: w, height: h } });
  for (const [name, hash] of pages) {
    await page.goto(base + '/' + hash);
    await page.waitForSelector('h1');
    await page.waitForFunction(() => !document.querySelector('[data-testid="loading"]'));
    await page.waitForTimeout(name === 'search' ? 400 : 50);
    await page.screenshot({ path: `${out}/${name}-${tag}.png`, fullPage: name !== 'results' });
  }
  await page.close();
}
await browser.close();
