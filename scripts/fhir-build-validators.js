#!/usr/bin/env node
/**
 * Precompiles the FHIR R4 validator into a standalone CommonJS module (not committed):
 *   build/fhir/fhir-r4-validators.js        exports validateResource (Ajv standalone code)
 *   build/fhir/fhir-r4-validators.stamp.json inputs it was built from (checked at load)
 * Usage: node scripts/fhir-build-validators.js [--out DIR]
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const i = process.argv.indexOf('--out');
const outDir = path.resolve(i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : path.join(ROOT, 'build/fhir'));

function loadCompiler() {
  // Prefer the tsc output; otherwise transpile the TypeScript sources on the fly.
  const built = path.join(ROOT, 'dist/src/fhir/schema/compile.js');
  const source = path.join(ROOT, 'src/fhir/schema/compile.ts');
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= fs.statSync(source).mtimeMs) return require(built);
  require('./fhir-ts-register');
  return require(source);
}

const started = Date.now();
const { buildStandaloneSource, currentStamp } = loadCompiler();
const code = buildStandaloneSource();
fs.mkdirSync(outDir, { recursive: true });
const modulePath = path.join(outDir, 'fhir-r4-validators.js');
fs.writeFileSync(modulePath + '.tmp', code);
fs.renameSync(modulePath + '.tmp', modulePath);
fs.writeFileSync(path.join(outDir, 'fhir-r4-validators.stamp.json'), JSON.stringify(currentStamp(), null, 2) + '\n');
const mb = (Buffer.byteLength(code) / 1e6).toFixed(1);
console.log(`fhir: wrote ${path.relative(process.cwd(), modulePath)} (${mb} MB) in ${Date.now() - started} ms`);
