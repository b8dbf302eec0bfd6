#!/usr/bin/env node
/**
 * Precompiles the FHIR R4 validator into a standalone CommonJS module (not committed):
 *   build/fhir/fhir-r4-fast.js              exports validateResource (fast boolean check, hot path)
 *   build/fhir/fhir-r4-validators.js        exports validateResource (Ajv standalone code, for errors)
 *   build/fhir/fhir-r4-validators.stamp.json inputs it was built from (checked at load)
 *   build/fhir/*.v8-cache, fhir-r4-code-cache.json  V8 code caches of both modules and what they
 *                                            were made from (used at load when they match)
 * Usage: node scripts/fhir-build-validators.js [--out DIR] [--force]
 * Nothing is rebuilt when the stamp shows the same inputs: the schema, the constraints, Ajv's
 * version and the generator's own sources (src/fhir/schema, this script). --force rebuilds anyway.
 * The code caches are remade whenever the modules are, or when another V8 runs this script.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const crypto = require('crypto');

const ROOT = path.resolve(__dirname, '..');
const i = process.argv.indexOf('--out');
const outDir = path.resolve(
  i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : path.join(ROOT, 'build/fhir'),
);

/** A module of src/fhir/schema, e.g. `compile`. */
function loadSchemaModule(name) {
  // The TypeScript sources are the truth; dist/ may be stale. Without TypeScript installed
  // (production install), use the tsc output.
  const source = path.join(ROOT, `src/fhir/schema/${name}.ts`);
  let typescript = true;
  try {
    require.resolve('typescript');
  } catch {
    typescript = false;
  }
  if (typescript && fs.existsSync(source)) {
    require('./fhir-ts-register');
    return require(source);
  }
  return require(path.join(ROOT, `dist/src/fhir/schema/${name}.js`));
}

/**
 * A hash of the code that generates the validators, so editing the generator rebuilds without a
 * manual version bump. Only the build decides with it; the loader checks the stamp's other fields.
 */
function generatorSha256() {
  const dir = path.join(ROOT, 'src/fhir/schema');
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
  const hash = crypto.createHash('sha256');
  for (const file of [...files, __filename]) hash.update(path.basename(file)).update(fs.readFileSync(file));
  return hash.digest('hex');
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const started = Date.now();
const { buildStandaloneSource, buildFastSource, currentStamp } = loadSchemaModule('compile');
const { writeCodeCaches, codeCachesCurrent } = loadSchemaModule('validator');
const stampPath = path.join(outDir, 'fhir-r4-validators.stamp.json');
const wanted = { ...currentStamp(), generatorSha256: generatorSha256() };
const outputs = ['fhir-r4-fast.js', 'fhir-r4-validators.js'].map((f) => path.join(outDir, f));
const where = path.relative(process.cwd(), outDir) || '.';
if (
  !process.argv.includes('--force') &&
  JSON.stringify(readJson(stampPath)) === JSON.stringify(wanted) &&
  outputs.every((f) => fs.existsSync(f))
) {
  if (codeCachesCurrent(outDir)) {
    console.log(`fhir: validators up to date in ${where}`);
  } else {
    writeCodeCaches(outDir);
    console.log(`fhir: validators up to date in ${where}; code caches written for V8 ${process.versions.v8}`);
  }
  process.exit(0);
}
fs.mkdirSync(outDir, { recursive: true });
// The stamp goes last and is removed first, so a half-written build is never taken as current.
fs.rmSync(stampPath, { force: true });
for (const [file, build] of [
  ['fhir-r4-fast.js', buildFastSource],
  ['fhir-r4-validators.js', buildStandaloneSource],
]) {
  const code = build();
  const modulePath = path.join(outDir, file);
  fs.writeFileSync(modulePath + '.tmp', code);
  fs.renameSync(modulePath + '.tmp', modulePath);
  const mb = (Buffer.byteLength(code) / 1e6).toFixed(1);
  console.log(`fhir: wrote ${path.relative(process.cwd(), modulePath)} (${mb} MB)`);
}
writeCodeCaches(outDir);
fs.writeFileSync(stampPath, JSON.stringify(wanted, null, 2) + '\n');
console.log(`fhir: validators and their code caches built in ${Date.now() - started} ms`);
