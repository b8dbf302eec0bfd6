#!/usr/bin/env node
/**
 * Precompiles the FHIR R4 validator into a standalone CommonJS module (not committed):
 *   build/fhir/fhir-r4-fast.js              exports validateResource (fast boolean check, hot path)
 *   build/fhir/fhir-r4-validators.js        exports validateResource (Ajv standalone code, for errors)
 *   build/fhir/fhir-r4-validators.stamp.json inputs it was built from (checked at load)
 * Usage: node scripts/fhir-build-validators.js [--out DIR]
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const i = process.argv.indexOf('--out');
const outDir = path.resolve(
  i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : path.join(ROOT, 'build/fhir'),
);

function loadCompiler() {
  // The TypeScript sources are the truth; dist/ may be stale. Without TypeScript installed
  // (production install), use the tsc output.
  const source = path.join(ROOT, 'src/fhir/schema/compile.ts');
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
  return require(path.join(ROOT, 'dist/src/fhir/schema/compile.js'));
}

const started = Date.now();
const { buildStandaloneSource, buildFastSource, currentStamp } = loadCompiler();
fs.mkdirSync(outDir, { recursive: true });
// The stamp goes last and is removed first, so a half-written build is never taken as current.
const stampPath = path.join(outDir, 'fhir-r4-validators.stamp.json');
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
fs.writeFileSync(stampPath, JSON.stringify(currentStamp(), null, 2) + '\n');
console.log(`fhir: validators built in ${Date.now() - started} ms`);
