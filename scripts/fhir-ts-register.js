/**
 * Minimal require hook that transpiles .ts files with the project's TypeScript (no type check).
 * Used where plain Node must load the TypeScript sources: the validator build script, and
 * worker threads started from jest (where ts-jest only hooks the main thread).
 */
'use strict';
const fs = require('fs');

if (!require.extensions['.ts']) {
  const ts = require('typescript');
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    sourceMap: false,
    inlineSourceMap: false,
  };
  require.extensions['.ts'] = function registerTs(module, filename) {
    const source = fs.readFileSync(filename, 'utf8');
    const out = ts.transpileModule(source, { compilerOptions, fileName: filename });
    module._compile(out.outputText, filename);
  };
}
