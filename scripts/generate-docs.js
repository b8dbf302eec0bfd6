#!/usr/bin/env node
/**
 * Writes what the settings table generates (spec/config.schema.json, the README's option table)
 * from the TypeScript sources: `node scripts/generate-docs.js [--check]` (see src/config/generate-docs.ts).
 */
'use strict';
require('./fhir-ts-register');
const { main } = require('../src/config/generate-docs.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`generate: ${err.message}\n`);
    process.exitCode = 1;
  },
);
