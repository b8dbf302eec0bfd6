import { jsonValues } from '../../src/fuzz/json-values';
import { judge, type Answer } from '../../src/fuzz/oracles';
import type { FuzzOperation } from '../../src/fuzz/spec';

const op = (base: string, versioned = true): FuzzOperation => ({
  operationId: `${base}${versioned ? 'V2' : ''}`,
  base,
  method: 'GET',
  path: '/x',
  ...(versioned ? { version: 'v2' as const } : {}),
  statuses: [200, 202, 400, 401, 403, 404, 410, 429, 500, 503],
  parameters: [],
});
const kickoff = op('exportGroup');
const jobs = op('listJobs');
const download = op('downloadFile', false);

const OO = JSON.stringify({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'structure' }],
});
const answer = (status: number, text = '', type = 'application/fhir+json'): Answer => ({
  exchangeId: 'x0001',
  status,
  headers: { 'content-type': type },
  text,
});
const kinds = (m: Map<string, string>) => [...m.keys()].sort();

describe('judge', () => {
  it('calls a 5xx or no answer at all a server error, in or out of schema', () => {
    expect(kinds(judge(kickoff, { inSchema: true, sent: [] }, answer(500)))).toEqual(['server-error']);
    expect(kinds(judge(kickoff, { inSchema: false, brokenIn: 'query', sent: [] }, answer(503, OO)))).toEqual([
      'server-error',
    ]);
    const hang: Answer = { exchangeId: 'x1', transportError: 'timed out after 30000 ms' };
    expect(judge(jobs, { inSchema: true, sent: [] }, hang).get('server-error')).toMatch(
      /no answer \(timed out/,
    );
  });

  it('wants an in-schema kick-off accepted with 202, and gives no verdict on answers the data decides', () => {
    expect(kinds(judge(kickoff, { inSchema: true, sent: [] }, answer(202)))).toEqual([]);
    expect(judge(kickoff, { inSchema: true, sent: [] }, answer(200)).get('accepts-valid')).toMatch(/202/);
    expect(judge(kickoff, { inSchema: true, sent: [] }, answer(400, OO)).get('accepts-valid')).toBe(
      'refused it with 400',
    );
    for (const status of [401, 403, 404, 410, 429])
      expect(kinds(judge(kickoff, { inSchema: true, sent: [] }, answer(status, OO)))).toEqual([]);
  });

  it('wants an out-of-schema value refused with 400 (or 404 in the path) and an OperationOutcome', () => {
    const query = { inSchema: false, brokenIn: 'query' as const, sent: [] };
    expect(kinds(judge(kickoff, query, answer(400, OO)))).toEqual([]);
    expect(judge(kickoff, query, answer(202)).get('rejects-invalid')).toBe('accepted it with 202');
    // A filter the server ignored: "no jobs found" is a documented 4xx, but not a refusal.
    expect(judge(jobs, query, answer(404, OO)).get('rejects-invalid')).toMatch(
      /404, where a bad query value gets 400/,
    );
    expect(judge(kickoff, query, answer(418, OO)).get('rejects-invalid')).toMatch(/does not document/);
    expect(judge(kickoff, query, answer(400, 'Bad Request\n', 'text/plain')).get('rejects-invalid')).toMatch(
      /without an OperationOutcome/,
    );
    expect(kinds(judge(jobs, { ...query, brokenIn: 'path' }, answer(404, OO)))).toEqual([]);
    // Outside /api/vN (downloads) the body is not judged.
    expect(
      kinds(judge(download, { ...query, brokenIn: 'path' }, answer(400, 'invalid URL path\n', 'text/plain'))),
    ).toEqual([]);
  });

  it('reads a body of two concatenated JSON documents (a documented quirk) as JSON', () => {
    const doubled = `${OO}{"resourceType":"Bundle","type":"searchset","total":0}`;
    expect(
      kinds(judge(jobs, { inSchema: false, brokenIn: 'path', sent: ['"x'] }, answer(404, doubled))),
    ).toEqual([]);
  });

  it('finds the input echoed unescaped: a JSON body that no longer parses, markup in HTML', () => {
    const pasted = '{"resourceType":"OperationOutcome","issue":[{"diagnostics":"invalid resource type "x"}]}';
    const sent = ['"x'];
    expect(
      judge(kickoff, { inSchema: false, brokenIn: 'query', sent }, answer(400, pasted)).get('no-echo'),
    ).toMatch(/no longer parses: it holds the input "\\"x" unescaped/);
    const html = '<p>unknown type <script>alert(1)</script></p>';
    expect(
      judge(
        kickoff,
        { inSchema: false, brokenIn: 'query', sent: ['<script>alert(1)</script>'] },
        answer(400, html, 'text/html'),
      ).get('no-echo'),
    ).toMatch(/text\/html body holds the input/);
    // Escaped, the same value is fine.
    const escaped = JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ diagnostics: 'type "x' }] });
    expect(
      judge(kickoff, { inSchema: false, brokenIn: 'query', sent }, answer(400, escaped)).has('no-echo'),
    ).toBe(false);
  });
});

describe('jsonValues', () => {
  it.each([
    ['{"a":1}', [{ a: 1 }]],
    ['{"a":1}{"b":"}{"}', [{ a: 1 }, { b: '}{' }]],
    [' [1] \n{"c":2}\n', [[1], { c: 2 }]],
    ['{"a":1}Not Found\n', undefined],
    ['{"a":"x"y"}', undefined],
    ['', undefined],
  ])('%j → %j', (text, expected) => {
    expect(jsonValues(text)).toEqual(expected);
  });
});
