/**
 * The HTML report in headless Debian Chromium (playwright-core, the system browser; nothing is
 * downloaded). The report comes from a real embedded-mock run with a fault switched on, with
 * hostile target data (`<script>` in a message, a header, a body and an X-Progress) added.
 * Skips, saying why, when /usr/bin/chromium is not installed.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/config';
import type { RunReport } from '../../src/engine/results';
import { runConformance } from '../../src/run/run-conformance';
import { renderHtml } from '../../src/report/html';
import { renderJunit } from '../../src/report/junit';

jest.setTimeout(120_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ROOT = path.join(__dirname, '../..');
/** Where the test leaves its screenshot (reports/ is git-ignored). */
const SHOT = path.join(ROOT, 'reports', 'browser', 'report.png');
/** `BCDA_UPDATE_SCREENSHOT=1` also refreshes the README's picture. */
const README_SHOT = path.join(ROOT, 'fixtures', 'screenshots', 'report.png');

const PWN = '<script>window.__pwned=1</script>';
const PWN_IMG = '<img src=x onerror="window.__pwned=2">';

/** Adds target-controlled text in the places a server controls. */
function poison(report: RunReport): RunReport {
  const [first, ...rest] = report.results;
  const exchanges = report.exchanges.map((x, i) =>
    i === 0 && x.response
      ? {
          ...x,
          response: {
            ...x.response,
            headers: { ...x.response.headers, 'x-evil': PWN_IMG },
            body: `${x.response.body ?? ''}${PWN}`,
          },
        }
      : x,
  );
  const exports = report.exports.map((t, i) =>
    i === 0 ? { ...t, polls: t.polls.map((p) => ({ ...p, xProgress: `${p.xProgress ?? ''} ${PWN}` })) } : t,
  );
  return {
    ...report,
    results: first
      ? [{ ...first, message: `${first.message} ${PWN}`, title: `${first.title} ${PWN_IMG}` }, ...rest]
      : rest,
    exchanges,
    exports,
  };
}

const describeIfChromium = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) {
  process.stderr.write(
    `test/browser: SKIPPED, ${CHROMIUM} is not installed (apt-get install chromium; CI installs it)\n`,
  );
}
const title = HAVE_CHROMIUM
  ? 'HTML report in headless Chromium'
  : `HTML report in headless Chromium — SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium; CI installs it)`;

describeIfChromium(title, () => {
  let browser: Browser;
  let page: Page;
  let report: RunReport;
  const problems: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'report-browser-'));
    const config = loadConfig({ outDir: dir, mockFaults: ['kickoff-accepts-missing-accept'] }, {}, dir);
    report = poison((await runConformance(config)).report);
    const file = path.join(dir, 'index.html');
    writeFileSync(file, renderHtml(report));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // Any attempt to load something from outside the file is a problem too.
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
    });
    await page.goto(`file://${file}`);
  });

  afterAll(async () => {
    await browser?.close();
  });

  test('the hostile script did not run and shows as text', async () => {
    expect(
      await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    const firstRow = page.locator('tr.check').first();
    await expect(firstRow.textContent()).resolves.toContain(PWN);
  });

  test('the outcome filter shows only the chosen rows', async () => {
    const fails = report.summary.counts.fail;
    expect(fails).toBeGreaterThan(0);
    for (const o of ['pass', 'warn', 'skip', 'error']) await page.uncheck(`input[name=outcome][value=${o}]`);
    const visible = page.locator('tr.check:visible');
    await expect(visible.count()).resolves.toBe(fails);
    const outcomes = await visible.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-outcome')));
    expect(new Set(outcomes)).toEqual(new Set(['fail']));
    await expect(page.locator('#f-shown').textContent()).resolves.toBe(
      `${fails} of ${report.results.length} checks shown`,
    );
  });

  test('a check expands to its description, references, evidence and curl', async () => {
    const failed = report.results.find((r) => r.outcome === 'fail')!;
    const row = page.locator(`tr.check[data-outcome=fail]`).first();
    await row.click();
    const detail = page.locator('tr.detail').first();
    await expect(detail.isVisible()).resolves.toBe(true);
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain(failed.description);
    expect(text).toContain('References');
    expect(text).toContain([...failed.requirements, ...failed.refs][0]!);
    if (failed.evidence.length) {
      expect(text).toContain('Reproduce with curl');
      expect(text).toContain('$BCDA_TOKEN');
    }
    await expect(row.getAttribute('aria-expanded')).resolves.toBe('true');
    mkdirSync(path.dirname(SHOT), { recursive: true });
    await page.screenshot({ path: SHOT });
    if (process.env.BCDA_UPDATE_SCREENSHOT === '1') {
      mkdirSync(path.dirname(README_SHOT), { recursive: true });
      await page.screenshot({ path: README_SHOT });
    }
    expect(existsSync(SHOT)).toBe(true);
  });

  test('the text search narrows the table', async () => {
    for (const o of ['pass', 'warn', 'skip', 'error']) await page.check(`input[name=outcome][value=${o}]`);
    await page.fill('#f-search', 'metadata-public');
    await expect(page.locator('tr.check:visible').count()).resolves.toBe(1);
    await page.fill('#f-search', '');
  });

  test('the request list pages and expands, with the hostile header as text', async () => {
    const rows = page.locator('#exchange-rows tr.exchange');
    await expect(rows.count()).resolves.toBe(Math.min(200, report.exchanges.length));
    await rows.first().click();
    const detail = page.locator('#exchange-rows tr.detail');
    await expect(detail.textContent()).resolves.toContain(`x-evil: ${PWN_IMG}`);
    expect(
      await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
  });

  test('a run with thousands of exchanges lists them in pages', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({
      ...report.exchanges[i % report.exchanges.length]!,
      id: `x${String(i + 1).padStart(4, '0')}`,
    }));
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'report-large-')), 'index.html');
    writeFileSync(file, renderHtml({ ...report, exchanges: many }));
    const large = await browser.newPage();
    large.on('pageerror', (e) => problems.push(`page error (large run): ${e.message}`));
    await large.goto(`file://${file}`);
    const rows = large.locator('#exchange-rows tr.exchange');
    await expect(rows.count()).resolves.toBe(200);
    await large.click('#x-more');
    await expect(rows.count()).resolves.toBe(400);
    await expect(large.locator('#x-shown').textContent()).resolves.toBe('400 of 3000 exchanges listed');
    await large.fill('#x-search', 'x2999');
    await expect(rows.count()).resolves.toBe(1);
    await large.close();
  });

  test('junit.xml of the same run is well-formed XML with one testcase per check', async () => {
    const parsed = await page.evaluate((xml) => {
      // Runs in the browser; the Node typings this project uses have no DOM.
      type Doc = { getElementsByTagName(name: string): { length: number } };
      const Parser = (
        globalThis as unknown as { DOMParser: new () => { parseFromString(s: string, t: string): Doc } }
      ).DOMParser;
      const doc = new Parser().parseFromString(xml, 'application/xml');
      return {
        errors: doc.getElementsByTagName('parsererror').length,
        cases: doc.getElementsByTagName('testcase').length,
      };
    }, renderJunit(report));
    expect(parsed).toEqual({ errors: 0, cases: report.results.length });
  });

  test('no console errors, page errors or outside requests', () => {
    expect(problems).toEqual([]);
  });
});
