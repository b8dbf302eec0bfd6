import { createHash } from 'node:crypto';
import { renderHtml } from '../../src/report/html';
import { esc, html, jsonForScript, raw } from '../../src/report/html/escape';
import {
  buildPayload,
  HTML_BODY_CHARS,
  LARGE_RUN_BODY_CHARS,
  LARGE_RUN_EXCHANGES,
} from '../../src/report/html/payload';
import { CLIENT_SCRIPT } from '../../src/report/html/client';
import { exchange, hostileReport, PWN } from './fixture';

describe('escaping helpers', () => {
  test('esc escapes markup and quotes', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
  test('the html template escapes values but not raw() markup, and joins arrays', () => {
    // prettier-ignore
    const out = html`<p>${PWN}</p>${raw('<b>ok</b>')}${['<i>', 1]}${undefined}`.value;
    expect(out).toBe('<p>&lt;script&gt;window.__pwned=1&lt;/script&gt;</p><b>ok</b>&lt;i&gt;1');
  });
  test('JSON for a script block cannot close the element and round-trips', () => {
    const value = { s: `</script><!-- ${PWN} \u2028` };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/</);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('index.html', () => {
  const page = renderHtml(hostileReport());

  test('target data never appears as live markup', () => {
    expect(page).not.toContain('<script>window.__pwned');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    // Exactly two script elements: the JSON data block and the page's own script.
    expect(page.match(/<script\b/g)).toHaveLength(2);
    expect(page.match(/<\/script>/g)).toHaveLength(2);
  });

  test('is self-contained: no external resources, only the documents it cites as link targets', () => {
    // The JSON data block is inert data; look at the markup only.
    const markup = page.replace(/<script type="application\/json" id="report-data">[^<]*<\/script>/, '');
    expect(markup).not.toMatch(/\s(src|srcset|action)=/i);
    expect(page).not.toMatch(/url\(/i);
    expect(page).not.toMatch(/@import/i);
    const urls = [...page.matchAll(/https?:\/\/[^\s"'<)\\]+/g)].map((m) => m[0]);
    // The target, and the IG and BCDA documentation pages that references link to.
    const cited = ['https://bcda.example.org', 'http://hl7.org/fhir/uv/bulkdata/', 'https://bcda.cms.gov/'];
    const outside = urls.filter((u) => !cited.some((c) => u.startsWith(c)));
    expect(outside).toEqual([]);
  });

  test('the CSP allows exactly the inlined script, by hash', () => {
    const hash = createHash('sha256').update(CLIENT_SCRIPT).digest('base64');
    expect(page).toContain(`script-src 'sha256-${hash}'`);
    expect(page).toContain(`<script>${CLIENT_SCRIPT}</script>`);
  });

  test('the client script is valid JavaScript', () => {
    expect(() => new Function(CLIENT_SCRIPT)).not.toThrow();
  });

  test('shows the verdict, counts, every check row with its filter attributes', () => {
    expect(page).toContain('NOT CONFORMANT');
    for (const o of ['pass', 'fail', 'warn', 'skip', 'error']) expect(page).toContain(`data-outcome="${o}"`);
    const rows = page.match(/<tr\s+class="check"/g) ?? [];
    expect(rows).toHaveLength(6);
    expect(page).toMatch(
      /data-i="0"\s+data-id="KICKOFF-PATIENT-ACCEPT-MISSING"\s+data-outcome="fail"\s+data-level="MUST"\s+data-area="kickoff"/,
    );
  });

  test('coverage highlights undocumented statuses', () => {
    expect(page).toMatch(/<td class="undoc"[^>]*>1 !<\/td>/);
    expect(page).toContain('exportPatientV2 → 418');
  });

  test('validation table lists the file path, counts and the message with its line', () => {
    expect(page).toContain('/data/7/abc.ndjson');
    expect(page).toMatch(/line 2 · Patient\.name\[0\]\.family/);
  });

  test('draws a timeline per export with X-Progress escaped and the download size', () => {
    expect(page).toMatch(/<svg\s+class="timeline"/);
    expect(page).toContain('Patient: 1.2 KiB in 300 ms');
    expect(page).toContain('complete (200)');
  });

  test('says when bodies were left out for privacy', () => {
    expect(page).toContain('may hold real beneficiary data');
  });
});

describe('embedded payload', () => {
  test('carries a curl per exchange with $BCDA_TOKEN and no credential', () => {
    const payload = buildPayload(hostileReport());
    const x1 = payload.exchanges.find((x) => x.id === 'x0001');
    expect(x1?.curl).toContain('"Authorization: Bearer $BCDA_TOKEN"');
    expect(payload.exchanges.find((x) => x.id === 'x0003')?.bodyOmitted).toBe(true);
  });

  test('carries the TLS version an https exchange went over, and none for plain http', () => {
    const base = hostileReport();
    const over = exchange('x0001', { tls: 'TLSv1.3' });
    const plain = exchange('x0002');
    const payload = buildPayload({ ...base, exchanges: [over, plain] });
    expect(payload.exchanges.map((x) => x.tls)).toEqual(['TLSv1.3', undefined]);
  });

  test('bodies are cut, harder for very large runs', () => {
    const long = 'y'.repeat(HTML_BODY_CHARS + 50);
    const base = hostileReport();
    const one = exchange('x0001', {
      response: { status: 200, headers: {}, body: long, bodyBytes: long.length, bodyTruncated: false },
    });
    const small = buildPayload({ ...base, exchanges: [one] });
    expect(small.exchanges[0]?.responseBody).toHaveLength(HTML_BODY_CHARS);
    expect(small.exchanges[0]?.bodyCut).toBe(true);
    const many = Array.from({ length: LARGE_RUN_EXCHANGES + 1 }, (_, i) => ({
      ...one,
      id: `x${String(i + 1).padStart(4, '0')}`,
    }));
    const large = buildPayload({ ...base, exchanges: many });
    expect(large.bodyChars).toBe(LARGE_RUN_BODY_CHARS);
    expect(large.exchanges[5]?.responseBody).toHaveLength(LARGE_RUN_BODY_CHARS);
  });
});
