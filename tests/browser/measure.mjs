// Measures the search index of a built site: its size on disk, and the
// bytes of index files one query loads, in headless Chromium over file://
// (a fresh browser context per query, so nothing is cached). Not a test.
//
//   node tests/browser/measure.mjs SITE_DIR [QUERY ...]
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const site = path.resolve(process.argv[2] || 'site');
const queries = process.argv.length > 3 ? process.argv.slice(3) : [
  'ceasefire', 'government', 'minister said', 'economy growth forecast', 'film award', 'elect', 'mobile phone',
  'aleppo', 'football club manager', 'prime minister tony blair election campaign tax',
];

function walk(dir) {
  let n = 0, bytes = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { const r = walk(p); n += r.n; bytes += r.bytes; } else { n++; bytes += fs.statSync(p).size; }
  }
  return { n, bytes };
}
const kb = (b) => (b / 1024).toFixed(1) + ' KB';
const idx = walk(path.join(site, 'search'));
const shards = fs.readdirSync(path.join(site, 'search/t')).map((f) => fs.statSync(path.join(site, 'search/t', f)).size);
const buckets = fs.readdirSync(path.join(site, 'search/d')).map((f) => fs.statSync(path.join(site, 'search/d', f)).size);
console.log(`index: ${(idx.bytes / 1048576).toFixed(1)} MB in ${idx.n} files; manifest ${kb(fs.statSync(path.join(site, 'search/index.js')).size)}; ` +
  `${shards.length} term shards (largest ${kb(Math.max(...shards))}), ${buckets.length} document buckets (largest ${kb(Math.max(...buckets))})`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const rows = [];
for (const q of queries) {
  for (const where of ['panel', 'page']) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const t0 = Date.now();
    let n = 0;
    if (where === 'page') {
      await page.goto(pathToFileURL(path.join(site, 'search.html')).href + '?q=' + encodeURIComponent(q));
      await page.waitForFunction(() => /result|No results|unavailable/.test(document.getElementById('search-status').textContent) &&
        !/Searching/.test(document.getElementById('search-status').textContent), null, { timeout: 60000 });
      n = await page.locator('#search-results .result').count();
    } else {
      await page.goto(pathToFileURL(path.join(site, 'index.html')).href);
      await page.locator('#search-input').fill(q);
      await page.locator('#search-panel p.meta').first().waitFor({ timeout: 60000 });
      n = await page.locator('#search-panel .result').count();
    }
    const ms = Date.now() - t0;
    const files = await page.evaluate(() => window.dossierSearch.files.slice());
    const bytes = files.reduce((s, f) => s + fs.statSync(path.join(site, f)).size, 0);
    rows.push({ q, where, files: files.length, bytes, shown: n, ms });
    console.log(`${where.padEnd(5)} ${JSON.stringify(q).padEnd(52)} ${String(files.length).padStart(3)} files ${kb(bytes).padStart(10)}  ${n} shown  ${ms} ms`);
    await ctx.close();
  }
}
await browser.close();
const worst = rows.reduce((a, b) => (b.bytes > a.bytes ? b : a));
const sorted = rows.map((r) => r.bytes).sort((a, b) => a - b);
console.log(`per query: median ${kb(sorted[sorted.length >> 1])}, max ${kb(worst.bytes)} (${worst.where} ${JSON.stringify(worst.q)})`);
