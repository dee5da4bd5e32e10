// Browser test of the built seeds site, in headless Chromium (Debian's,
// never a downloaded one): over file:// and through `dossier serve`.
// Search to a paragraph, chronology link to a paragraph, no console errors
// (CSP violations included), axe-core with no serious or critical
// violations (light and dark), no sideways scrolling on a phone, the 404
// page at any depth, live reload and the build-error overlay.
// Screenshots go to tests/browser/screenshots/ (git-ignored).
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const bin = path.join(repo, 'target/release/dossier');
const shots = path.join(here, 'screenshots');
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const QUERY = process.env.DOSSIER_QUERY || 'ceasefire';

let passed = 0, failed = 0, skipped = 0;
async function check(name, fn) {
  try {
    const r = await fn();
    if (r === 'skip') { skipped++; console.log(`skip  ${name}`); } else { passed++; console.log(`ok    ${name}`); }
  } catch (e) {
    failed++;
    console.log(`FAIL  ${name}\n      ${String(e && e.stack || e).split('\n').slice(0, 4).join('\n      ')}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-browser-'));
fs.mkdirSync(shots, { recursive: true });

// The seeds site as built from the repository's config, for file://.
const fileSite = path.join(tmp, 'site');
execFileSync(bin, ['build', '--quiet', '--config', path.join(repo, 'config.toml'), '--output', fileSite], { stdio: 'inherit' });

// A copy of the archive (config + seeds) for `dossier serve`, which we edit.
const work = path.join(tmp, 'archive');
fs.mkdirSync(path.join(work, 'seeds'), { recursive: true });
fs.copyFileSync(path.join(repo, 'config.toml'), path.join(work, 'config.toml'));
for (const f of fs.readdirSync(path.join(repo, 'seeds'))) fs.copyFileSync(path.join(repo, 'seeds', f), path.join(work, 'seeds', f));
const server = spawn(bin, ['serve', '--port', '0', '--config', path.join(work, 'config.toml')], { stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
server.stderr.on('data', (d) => { serverLog += d; });
const origin = await new Promise((resolve, reject) => {
  let buf = '';
  const t = setTimeout(() => reject(new Error('dossier serve printed no address:\n' + buf + serverLog)), 60000);
  server.stdout.on('data', (d) => {
    buf += d;
    const m = buf.match(/http:\/\/(127\.0\.0\.1:\d+)\//);
    if (m) { clearTimeout(t); resolve('http://' + m[1]); }
  });
  server.on('exit', (c) => reject(new Error('dossier serve exited ' + c + '\n' + buf + serverLog)));
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});

// A page that records console errors, page errors and failed requests.
async function open(context, url) {
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push('console: ' + m.text()); });
  page.on('pageerror', (e) => page.errors.push('page error: ' + e.message));
  page.on('requestfailed', (r) => /ERR_ABORTED/.test((r.failure() || {}).errorText) || page.errors.push('request failed: ' + r.url() + ' ' + (r.failure() || {}).errorText));
  if (url) await page.goto(url);
  return page;
}
function noErrors(page, allow = () => false) {
  const errs = page.errors.filter((e) => !allow(e));
  assert(errs.length === 0, 'errors on ' + page.url() + ':\n' + errs.join('\n'));
}
async function axe(page, label) {
  await page.evaluate(axeSource + '\n;0');
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'], preload: false }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert(bad.length === 0, `axe (${label}) on ${page.url()}:\n` +
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`).join('\n'));
}
async function inView(page, id) {
  return page.evaluate((id) => {
    const el = document.getElementById(id);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight;
  }, id);
}

async function suite(mode, base) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const url = (p) => new URL(p, base).href;
  let articleUrl = null;

  await check(`${mode}: home page loads with styles, no errors, axe clean`, async () => {
    const page = await open(ctx, url('index.html'));
    const bg = await page.evaluate(() => getComputedStyle(document.querySelector('.site-header')).borderBottomStyle);
    assert(bg === 'solid', 'style.css not applied');
    assert(await page.locator('input[type="search"]').count() === 1, 'no search box');
    articleUrl = await page.locator('.article-list a').first().evaluate((a) => a.href);
    await axe(page, 'light');
    if (mode === 'file') await page.screenshot({ path: path.join(shots, 'home.png'), fullPage: true });
    noErrors(page);
    await page.close();
  });

  await check(`${mode}: search from the box, follow a result to its paragraph`, async () => {
    const page = await open(ctx, url('index.html'));
    await page.locator('#search-input').pressSequentially(QUERY, { delay: 20 });
    const first = page.locator('#search-panel .result a').first();
    await first.waitFor({ timeout: 10000 });
    const href = await first.getAttribute('href');
    assert(/#p\d+$/.test(href), 'result does not link to a paragraph: ' + href);
    if (mode === 'file') await page.screenshot({ path: path.join(shots, 'search-panel.png') });
    await first.click();
    await page.waitForURL(/#p\d+$/);
    const id = new URL(page.url()).hash.slice(1);
    const text = await page.locator('#' + id).innerText();
    assert(text.toLowerCase().includes(QUERY), `paragraph ${id} does not contain "${QUERY}": ${text.slice(0, 120)}`);
    assert(await inView(page, id), `paragraph ${id} is not scrolled into view`);
    noErrors(page);
    await page.close();
  });

  await check(`${mode}: search results page (Enter), axe clean`, async () => {
    const page = await open(ctx, url('about.html'));
    await page.locator('#search-input').fill(QUERY);
    await page.locator('#search-input').press('Enter');
    await page.waitForURL(/search\.html\?q=/);
    await page.locator('#search-results .result').first().waitFor({ timeout: 10000 });
    const n = await page.locator('#search-results .result').count();
    assert(n >= 1, 'no results');
    const marks = await page.locator('#search-results mark').count();
    assert(marks >= 1, 'no highlighted words');
    await axe(page, 'light');
    if (mode === 'file') await page.screenshot({ path: path.join(shots, 'search.png'), fullPage: true });
    // A query with markup is shown as text, never run.
    await page.goto(url('search.html?q=' + encodeURIComponent('<img src=x onerror=alert(1)>')));
    await page.locator('#search-status').filter({ hasText: 'results' }).or(page.locator('#search-status').filter({ hasText: 'No results' })).waitFor();
    assert(await page.locator('main img').count() === 0, 'query markup was rendered');
    noErrors(page);
    await page.close();
  });

  await check(`${mode}: article page, axe clean (light and dark), no sideways scroll on a phone`, async () => {
    const page = await open(ctx, articleUrl);
    await axe(page, 'light');
    if (mode === 'file') await page.screenshot({ path: path.join(shots, 'article.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await axe(page, 'dark');
    if (mode === 'file') await page.screenshot({ path: path.join(shots, 'article-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 375, height: 740 });
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(over <= 0, `page is ${over}px wider than a phone screen`);
    await axe(page, 'phone');
    if (mode === 'file') {
      await page.screenshot({ path: path.join(shots, 'article-phone.png') });
      await page.emulateMedia({ media: 'print' });
      const hidden = await page.evaluate(() => getComputedStyle(document.querySelector('.site-header nav')).display);
      assert(hidden === 'none', 'navigation is printed');
      await page.screenshot({ path: path.join(shots, 'article-print.png') });
    }
    noErrors(page);
    await page.close();
  });

  await check(`${mode}: chronology link leads to its paragraph`, async () => {
    const page = await open(ctx, url('chronology.html'));
    await axe(page, 'light');
    if (mode === 'file') await page.screenshot({ path: path.join(shots, 'chronology.png'), fullPage: true });
    const link = page.locator('.chronology .event a[href*="#p"]').first();
    if (await link.count() === 0) {
      console.log('      (the chronology has no events yet: nothing to follow)');
      noErrors(page);
      await page.close();
      return 'skip';
    }
    await link.click();
    await page.waitForURL(/#p\d+$/);
    const id = new URL(page.url()).hash.slice(1);
    assert(await page.locator('#' + id).count() === 1, 'no paragraph ' + id);
    assert(await inView(page, id), `paragraph ${id} is not scrolled into view`);
    noErrors(page);
    await page.close();
  });

  await check(`${mode}: every other page loads without errors, axe clean`, async () => {
    for (const p of ['entities.html', 'quotes.html', 'sources.html', 'shared.html', 'report.html', 'about.html']) {
      const page = await open(ctx, url(p));
      await axe(page, 'light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await axe(page, 'dark');
      noErrors(page);
      await page.close();
    }
  });
  await ctx.close();
}

await suite('file', pathToFileURL(fileSite + '/').href);
await suite('serve', origin + '/');

const ctx = await browser.newContext({ viewport: { width: 1024, height: 700 } });
await check('serve: 404 page at any depth under the published path, styled', async () => {
  const page = await open(ctx);
  const resp = await page.goto(origin + '/dossier/no/such/deep/page.html');
  assert(resp.status() === 404, 'status ' + resp.status());
  assert(await page.locator('h1').innerText() === 'Page not found', 'not the site 404 page');
  const styled = await page.evaluate(() => getComputedStyle(document.querySelector('.site-header')).borderBottomStyle);
  assert(styled === 'solid', '404 page is unstyled at depth');
  await axe(page, 'light');
  await page.screenshot({ path: path.join(shots, '404.png') });
  // The 404 response itself is the only expected console error.
  noErrors(page, (e) => /404/.test(e));
  await page.close();
});

await check('serve: live reload after an input change, error overlay on a broken template', async () => {
  const page = await open(ctx, origin + '/index.html');
  const reloaded = page.waitForEvent('load', { timeout: 20000 });
  fs.writeFileSync(path.join(work, 'seeds', 'zz_breaking.txt'), 'Harbour quay reopens\n\nThe quay reopened on Friday after repairs.\n');
  await reloaded;
  assert(await page.getByText('Harbour quay reopens').count() >= 1, 'new article not shown after reload');
  fs.mkdirSync(path.join(work, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(work, 'templates', 'index.html'), '{% extends "base.html" %}{% block content %}{{ broken(');
  const overlay = page.locator('.dossier-build-error');
  await overlay.waitFor({ timeout: 20000 });
  assert((await overlay.innerText()).includes('index.html'), 'overlay does not name the template');
  await page.screenshot({ path: path.join(shots, 'serve-error.png') });
  const back = page.waitForEvent('load', { timeout: 20000 });
  fs.rmSync(path.join(work, 'templates', 'index.html'));
  await back;
  assert(await overlay.count() === 0, 'overlay still shown after the fix');
  noErrors(page);
  await page.close();
});
await ctx.close();

await browser.close();
server.kill();
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`screenshots in ${path.relative(repo, shots)}/`);
console.log(`browser: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed ? 1 : 0);
