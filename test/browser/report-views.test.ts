/**
 * The HTML report's views in headless Debian Chromium (playwright-core, the system browser; nothing
 * is downloaded): it opens on what failed, grouped by cause; a request is reproduced against a mock
 * started like the run's; references link to their requirement; the page fits a 390 px phone and a
 * 1280 px desktop; filters and the opened check live in the URL hash. The report is the cascade
 * fixture (one broken kick-off, the checks downstream skipped). Skips when chromium is absent.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderHtml } from '../../src/report/html';
import { cascadeReport } from '../report/html-fixture';

jest.setTimeout(60_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SHOTS = path.join(__dirname, '../..', 'reports', 'browser');

const describeIfChromium = HAVE_CHROMIUM ? describe : describe.skip;
const title = HAVE_CHROMIUM
  ? 'HTML report views in headless Chromium'
  : `HTML report views in headless Chromium — SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;

describeIfChromium(title, () => {
  let browser: Browser;
  let file: string;
  const problems: string[] = [];

  async function open(width: number, hash = ''): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
    });
    await page.goto(`file://${file}${hash}`);
    return page;
  }

  const hashOf = (page: Page) =>
    page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash);

  beforeAll(async () => {
    file = path.join(mkdtempSync(path.join(tmpdir(), 'report-views-')), 'index.html');
    writeFileSync(file, renderHtml(cascadeReport()));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  describe('failures first', () => {
    test('the first screen shows what failed, one entry per cause, the rest collapsed', async () => {
      const page = await open(1280);
      const box = await page.locator('#failures').boundingBox();
      expect(box!.y).toBeLessThan(900 - 200);
      const causes = page.locator('li.cause');
      await expect(causes.count()).resolves.toBe(3);
      await expect(causes.first().getAttribute('data-head')).resolves.toBe('KICKOFF-GROUP-ALL-ACCEPTED');
      const cascade = causes.first().locator('details.cascade');
      await expect(cascade.locator('a[data-check=DOWNLOAD-OK]').isVisible()).resolves.toBe(false);
      await cascade.locator('summary').click();
      await expect(cascade.locator('a[data-check=DOWNLOAD-OK]').isVisible()).resolves.toBe(true);
      await page.close();
    });

    test('a check named there opens in the full table below, and the hash names it', async () => {
      const page = await open(1280);
      await page.locator('li.cause').first().locator('details.cascade summary').click();
      await page.locator('li.cause a[data-check=CANCEL-ACCEPTED]').click();
      const row = page.locator('tr.check[data-id=CANCEL-ACCEPTED]');
      await expect(row.getAttribute('aria-expanded')).resolves.toBe('true');
      await expect(row.isVisible()).resolves.toBe(true);
      await expect(hashOf(page)).resolves.toBe('#check=CANCEL-ACCEPTED');
      await expect(page.locator('tr.check').count()).resolves.toBe(cascadeReport().results.length);
      await page.close();
    });
  });

  test('reproduce: the mock command comes first, then the curl pointed at that mock', async () => {
    const page = await open(1280, '#check=KICKOFF-PATIENT-ACCEPTED');
    const detail = page.locator('tr.check[data-id=KICKOFF-PATIENT-ACCEPTED] + tr.detail');
    const text = (await detail.textContent()) ?? '';
    const mock = text.indexOf(
      'bcda-conformance mock --port 4010 --control --fault kickoff-200-instead-of-202 --quirks',
    );
    const curl = text.indexOf("'http://127.0.0.1:4010/api/v2/Patient/$export'");
    expect(mock).toBeGreaterThan(0);
    expect(curl).toBeGreaterThan(mock);
    // The recorded request keeps the run's URL; what the reader is told to run does not.
    const commands = await detail.locator('pre.curl, pre.mock-command').allTextContents();
    expect(commands.join('\n')).not.toContain('127.0.0.1:41234');
    await page.close();
  });

  test('references link to the exact requirement or documentation section', async () => {
    const page = await open(1280, '#check=KICKOFF-GROUP-ALL-ACCEPTED');
    const links = page.locator('tr.detail ul a');
    const hrefs = await links.evaluateAll((as) =>
      Object.fromEntries(as.map((a) => [a.textContent ?? '', a.getAttribute('href') ?? ''])),
    );
    expect(hrefs['bulkdata@300']).toBe('http://hl7.org/fhir/uv/bulkdata/STU2/export.html#response---success');
    expect(hrefs['bulkdata@301']).toMatch(/export\.html#response---success:~:text=Content%2DLocation/);
    expect(hrefs['seed:001 §Start a job (Request header)']).toBe(
      'https://bcda.cms.gov/api-documentation/access-claims-data.html#:~:text=Start%20a%20job',
    );
    await page.close();
  });

  describe('narrow and wide screens', () => {
    const pageWidth = (page: Page) =>
      page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
          .document;
        return doc.documentElement.scrollWidth;
      });

    for (const width of [390, 1280]) {
      test(`at ${width} px the page does not scroll sideways, even with a check and a request open`, async () => {
        const page = await open(width, '#check=KICKOFF-TYPE-PATIENT');
        await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(width);
        await page.locator('#exchange-rows tr.exchange').first().click();
        await page.locator('li.cause').first().locator('details.cascade summary').click();
        await page.locator('details.run-info summary').click();
        await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(width);
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, `report-${width}.png`) });
        await page.close();
      });
    }

    test('at 390 px every check is readable without scrolling: its id, title and result in view', async () => {
      const page = await open(390);
      const row = page.locator('tr.check[data-id=STATUS-X-PROGRESS-FORMAT-OF-THE-PROGRESS-HEADER]');
      for (const cell of ['td.c-id', 'td.c-title', 'td.c-msg']) {
        const box = await row.locator(cell).boundingBox();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      }
      await page.close();
    });

    test('wide tables scroll inside their own box', async () => {
      const page = await open(390);
      const box = page.locator('#exchanges ~ .table-box').first();
      const sizes = await box.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(sizes.client).toBeLessThanOrEqual(390);
      expect(sizes.scroll).toBeGreaterThan(sizes.client);
      await page.close();
    });

    test('words wrap between words; only URLs and commands may break anywhere', async () => {
      const page = await open(390);
      const style = (selector: string) =>
        page
          .locator(selector)
          .first()
          .evaluate((el) => {
            const s = (
              globalThis as unknown as {
                getComputedStyle(e: unknown): { overflowWrap: string; wordBreak: string };
              }
            ).getComputedStyle(el);
            return `${s.overflowWrap} ${s.wordBreak}`;
          });
      await expect(style('td.c-msg')).resolves.toBe('break-word normal');
      await expect(style('td.c-title')).resolves.toBe('break-word normal');
      await expect(style('#exchange-rows td.url')).resolves.toBe('anywhere normal');
      await expect(style('code.cmd')).resolves.toBe('anywhere normal');
      await page.close();
    });
  });

  describe('the view in the URL hash', () => {
    test('loading a link with a hash applies its filters and opens its check', async () => {
      const page = await open(1280, '#outcome=fail&level=MUST&q=kickoff&check=KICKOFF-TYPE-PATIENT');
      const checked = await page
        .locator('input[name=outcome]')
        .evaluateAll((boxes) =>
          boxes
            .filter((b) => (b as unknown as { checked: boolean }).checked)
            .map((b) => b.getAttribute('value')),
        );
      expect(checked).toEqual(['fail']);
      await expect(page.locator('#f-level').inputValue()).resolves.toBe('MUST');
      await expect(page.locator('#f-search').inputValue()).resolves.toBe('kickoff');
      const visible = await page
        .locator('tr.check:visible')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
      expect(visible).toEqual([
        'KICKOFF-GROUP-ALL-ACCEPTED',
        'KICKOFF-PATIENT-ACCEPTED',
        'KICKOFF-TYPE-PATIENT',
      ]);
      await expect(
        page.locator('tr.check[data-id=KICKOFF-TYPE-PATIENT]').getAttribute('aria-expanded'),
      ).resolves.toBe('true');
      await expect(page.locator('tr.detail:visible').count()).resolves.toBe(1);
      await page.close();
    });

    test('changing filters and opening a check rewrites the hash, and that link gives the same view', async () => {
      const page = await open(1280);
      await expect(hashOf(page)).resolves.toBe('');
      const before = await page.evaluate(
        () => (globalThis as unknown as { history: { length: number } }).history.length,
      );
      for (const o of ['pass', 'warn', 'skip', 'error'])
        await page.uncheck(`input[name=outcome][value=${o}]`);
      await expect(hashOf(page)).resolves.toBe('#outcome=fail');
      await page.selectOption('#f-area', 'kickoff');
      await page.fill('#f-search', 'patient-accepted checks');
      await page.locator('tr.check[data-id=KICKOFF-PATIENT-ACCEPTED]').click();
      const hash = '#outcome=fail&area=kickoff&q=patient-accepted%20checks&check=KICKOFF-PATIENT-ACCEPTED';
      await expect(hashOf(page)).resolves.toBe(hash);
      // replaceState: the filters do not pile up history entries.
      await expect(
        page.evaluate(() => (globalThis as unknown as { history: { length: number } }).history.length),
      ).resolves.toBe(before);
      const url = page.url();
      await page.close();

      const again = await open(1280, new URL(url).hash);
      await expect(again.locator('#f-area').inputValue()).resolves.toBe('kickoff');
      await expect(again.locator('#f-search').inputValue()).resolves.toBe('patient-accepted checks');
      await expect(again.locator('tr.check:visible').count()).resolves.toBe(1);
      await expect(
        again.locator('tr.check[data-id=KICKOFF-PATIENT-ACCEPTED]').getAttribute('aria-expanded'),
      ).resolves.toBe('true');
      // Closing the check takes it out of the hash; "show all" clears the filters.
      await again.locator('tr.check[data-id=KICKOFF-PATIENT-ACCEPTED]').click();
      await expect(hashOf(again)).resolves.toBe('#outcome=fail&area=kickoff&q=patient-accepted%20checks');
      await again.fill('#f-search', '');
      await again.selectOption('#f-area', '');
      await again.click('button.count[data-outcome=""]');
      await expect(hashOf(again)).resolves.toBe('');
      await again.close();
    });

    test('an ordinary anchor is left alone', async () => {
      const page = await open(1280, '#coverage');
      await expect(hashOf(page)).resolves.toBe('#coverage');
      await expect(page.locator('tr.check:visible').count()).resolves.toBe(cascadeReport().results.length);
      await page.close();
    });
  });

  test('no console errors, page errors or outside requests', () => {
    expect(problems).toEqual([]);
  });
});
