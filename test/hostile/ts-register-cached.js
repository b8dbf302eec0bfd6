/**
 * Require hook for the CLI child processes of the hostile tests: runs the TypeScript sources (not
 * a possibly stale dist/) by transpiling them like scripts/fhir-ts-register.js, with the output
 * cached by content hash in the temp directory so only the first child pays for transpiling.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

if (!require.extensions['.ts']) {
  const cacheDir = path.join(os.tmpdir(), 'bcda-conformance-ts-cache');
  fs.mkdirSync(cacheDir, { recursive: true });
  let ts;
  require.extensions['.ts'] = function registerTs(module, filename) {
    const source = fs.readFileSync(filename, 'utf8');
    const key = crypto.createHash('sha256').update(filename).update('\0').update(source).digest('hex');
    const cached = path.join(cacheDir, `${key}.js`);
    let output;
    try {
      output = fs.readFileSync(cached, 'utf8');
    } catch {
      ts ??= require('typescript');
      output = ts.transpileModule(source, {
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
        },
        fileName: filename,
      }).outputText;
      // Write then rename, so a parallel child never reads half a file.
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, output);
      fs.renameSync(tmp, cached);
    }
    module._compile(output, filename);
  };
}
