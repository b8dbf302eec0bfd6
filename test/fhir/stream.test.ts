import { Readable } from 'stream';
import { gzipSync } from 'zlib';
import { RULE, validateNdjson, type NdjsonValidationOptions } from '../../src/fhir';
import { GzipError } from '../../src/fhir/ndjson-lines';
import { fixtureNdjson } from './corpus-helpers';

const patient = fixtureNdjson('valid', 'patient-base.json').text.trim();
const badPatient = fixtureNdjson('invalid', 'patient-gender-code.json').text.trim();
const base: NdjsonValidationOptions = { file: 'p.ndjson', kind: 'output', apiVersion: 'v2' };

/** A stream that delivers `data` in chunks of `size` bytes (splitting lines and UTF-8 sequences). */
function chunked(data: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts);
}

describe('validateNdjson streaming', () => {
  it('counts lines, tolerates CRLF and a missing final newline', async () => {
    const text = `${patient}\r\n${patient}\r\n${patient}`;
    const s = await validateNdjson(Readable.from([Buffer.from(text)]), base);
    expect(s).toMatchObject({
      lines: 3,
      validatedLines: 3,
      invalidLines: 0,
      countsByType: { Patient: 3 },
      bytes: Buffer.byteLength(text),
    });
    expect(s.issues).toEqual([]);
  });

  it('gives the same result whatever the chunk boundaries', async () => {
    const accented = patient.replace('"Doe"', '"Dœ Ünïcødé 李"');
    const data = Buffer.from([accented, badPatient, accented, ''].join('\n'));
    const whole = await validateNdjson(Readable.from([data]), base);
    expect(whole.invalidLines).toBe(1);
    for (const size of [1, 7, 64, 1000]) {
      const s = await validateNdjson(chunked(data, size), base);
      expect(s).toEqual(whole);
    }
  });

  it('reports the first failing line and per-line issues', async () => {
    const data = [patient, patient, badPatient, patient, badPatient].join('\n') + '\n';
    const s = await validateNdjson(Readable.from([Buffer.from(data)]), base);
    expect(s.firstFailingLine).toBe(3);
    expect(s.invalidLines).toBe(2);
    expect(s.issues.map((i) => [i.line, i.ruleId, i.path])).toEqual([
      [3, RULE.schema, 'Patient.gender'],
      [5, RULE.schema, 'Patient.gender'],
    ]);
  });

  it('caps issues per file and counts the dropped ones', async () => {
    const data = Array.from({ length: 30 }, () => badPatient).join('\n');
    const s = await validateNdjson(Readable.from([Buffer.from(data)]), { ...base, maxIssuesPerFile: 5 });
    expect(s.issues).toHaveLength(5);
    expect(s.issuesDropped).toBe(25);
    expect(s.invalidLines).toBe(30);
  });

  it('validates only the first N lines with validateLines but counts them all', async () => {
    const data = [patient, patient, badPatient, badPatient].join('\n');
    const s = await validateNdjson(Readable.from([Buffer.from(data)]), { ...base, validateLines: 2 });
    expect(s).toMatchObject({ lines: 4, validatedLines: 2, invalidLines: 0 });
  });

  it('detects gzip by its magic bytes, or when told', async () => {
    const gz = gzipSync(Buffer.from([patient, badPatient].join('\n')));
    const auto = await validateNdjson(chunked(gz, 100), base);
    expect(auto).toMatchObject({ lines: 2, invalidLines: 1 });
    const forced = await validateNdjson(Readable.from([gz]), { ...base, gzip: true });
    expect(forced).toMatchObject({ lines: 2, invalidLines: 1 });
  });

  it('rejects a corrupt gzip stream with a clear message', async () => {
    const gz = gzipSync(Buffer.from(patient));
    const broken = Buffer.concat([gz.subarray(0, 20), Buffer.from('garbage!garbage!')]);
    await expect(validateNdjson(Readable.from([broken]), base)).rejects.toThrow(/^gzip: /);
  });

  it('warns on blank lines without failing them', async () => {
    const s = await validateNdjson(Readable.from([Buffer.from(`${patient}\n\n${patient}\n`)]), base);
    expect(s.invalidLines).toBe(0);
    expect(s.issues).toEqual([expect.objectContaining({ line: 2, ruleId: RULE.parse, severity: 'warning' })]);
  });

  it('infers the file type from the first line when no manifest type is given', async () => {
    const coverage = fixtureNdjson('valid', 'coverage-base.json').text.trim();
    const s = await validateNdjson(Readable.from([Buffer.from(`${patient}\n${coverage}\n`)]), base);
    expect(s.issues.map((i) => [i.line, i.ruleId])).toEqual([[2, RULE.fileType]]);
  });

  it('collects Patient ids and referenced Patients', async () => {
    const eob = fixtureNdjson('valid', 'eob-base.json').text.trim();
    const s = await validateNdjson(Readable.from([Buffer.from(`${eob}\n${eob}\n`)]), {
      ...base,
      expectedType: 'ExplanationOfBenefit',
    });
    expect(s.references).toEqual({ patientIds: [], referencedPatients: ['-19990000000169'] });
    const p = await validateNdjson(Readable.from([Buffer.from(patient)]), base);
    expect(p.references.patientIds).toEqual(['-19990000000169']);
  });

  it('reports bad JSON without echoing the data', async () => {
    const s = await validateNdjson(
      Readable.from([Buffer.from('{"family":"Secretname"}x\nabcSecret\n')]),
      base,
    );
    expect(s.invalidLines).toBe(2);
    for (const issue of s.issues) {
      expect(issue.ruleId).toBe(RULE.parse);
      expect(issue.message).toMatch(/^not valid JSON: /);
      expect(issue.message).not.toMatch(/Secret/);
    }
  });

  it('survives resource types that are Object.prototype keys', async () => {
    const lines = [
      '{"resourceType":"constructor","id":"x"}',
      '{"resourceType":"__proto__"}',
      '{"resourceType":"toString"}',
    ];
    const s = await validateNdjson(Readable.from([Buffer.from(lines.join('\n'))]), {
      ...base,
      expectedType: 'constructor',
    });
    expect(s.invalidLines).toBe(3);
    expect(Object.entries(s.countsByType)).toEqual([
      ['constructor', 1],
      ['__proto__', 1],
      ['toString', 1],
    ]);
    expect(s.issues.every((i) => i.ruleId === RULE.schema || i.ruleId === RULE.fileType)).toBe(true);
  });

  it('reports a line over 8 MiB as a parse error without buffering it, and validates the next', async () => {
    // 20 MB of one JSON string, delivered in 1 MiB chunks.
    const filler = Buffer.alloc(1 << 20, 0x61);
    async function* body(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${patient}\n{"resourceType":"Patient","text":"`);
      for (let i = 0; i < 20; i++) yield filler;
      yield Buffer.from(`"}\n${badPatient}\n${patient}`);
    }
    const s = await validateNdjson(body(), base);
    expect(s).toMatchObject({ lines: 4, validatedLines: 4, invalidLines: 2, firstFailingLine: 2 });
    expect(s.issues.map((i) => [i.line, i.ruleId])).toEqual([
      [2, RULE.parse],
      [3, RULE.schema],
    ]);
    expect(s.issues[0]?.message).toMatch(/over the 8388608-byte limit/);
  });

  it('does not apply the R4 schema to v1 (STU3) files', async () => {
    const s = await validateNdjson(
      Readable.from([Buffer.from(badPatient.replace(/"profile":\[[^\]]*\],?/, ''))]),
      { ...base, apiVersion: 'v1' },
    );
    expect(s.issues.filter((i) => i.ruleId === RULE.schema)).toEqual([]);
  });
});

describe('validateNdjson hooks (the download path)', () => {
  it('hands out every line and the decoded byte counts', async () => {
    const text = `${patient}\r\n\n${patient}`;
    const lines: string[] = [];
    let bytes = 0;
    const gz = gzipSync(Buffer.from(text));
    const s = await validateNdjson(
      chunked(gz, 7),
      { ...base, gzip: true },
      { onLine: (l) => lines.push(l), onBytes: (n) => (bytes += n) },
    );
    expect(lines).toEqual([patient, '', patient]);
    expect(bytes).toBe(Buffer.byteLength(text));
    expect(s).toMatchObject({ lines: 3, bytes: Buffer.byteLength(text) });
  });

  it('with gzip: false, gzip bytes are not inflated (a body not labelled gzip)', async () => {
    const gz = gzipSync(Buffer.from(`${patient}\n`));
    const s = await validateNdjson(Readable.from([gz]), { ...base, gzip: false });
    expect(s.invalidLines).toBeGreaterThan(0);
    expect(s.countsByType).toEqual({});
  });

  it('with onLongLine, stops reading at a line over the limit and records it', async () => {
    const chunk = Buffer.alloc(1 << 20, 0x61);
    let pulled = 0;
    async function* body(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${patient}\n`);
      for (let i = 0; i < 50; i++) {
        pulled++;
        yield chunk;
      }
    }
    const long: number[] = [];
    const s = await validateNdjson(body(), base, { onLongLine: (n) => long.push(n) });
    expect(long).toEqual([2]);
    expect(pulled).toBeLessThanOrEqual(9);
    expect(s).toMatchObject({ lines: 2, invalidLines: 1, firstFailingLine: 2 });
    expect(s.issues[0]?.message).toBe(
      'the line is longer than the 8388608-byte limit for one resource; not validated, and the file was read no further',
    );
  });

  it('names a gzip failure with zlib words and the compressed offsets', async () => {
    const gz = gzipSync(Buffer.from(`${patient}\n`.repeat(50)));
    const cut = gz.subarray(0, gz.length - 10);
    const error = await validateNdjson(Readable.from([cut]), base).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GzipError);
    expect(error).toMatchObject({
      zlibMessage: 'unexpected end of file',
      sliceEnd: cut.length,
      message: `gzip: the compressed data ends early (unexpected end of file) at compressed byte ${cut.length}`,
    });
  });
});
