/**
 * No Docker engine runs here, so the image is not built in tests; this keeps the Dockerfile's
 * runtime stage in step with what the package ships (package.json "files") and with the CLI.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  files: string[];
  bin: Record<string, string>;
};

describe('Dockerfile', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds with npm ci and the build script, then keeps production dependencies only', () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/RUN npm ci\b/);
    expect(stages[0]).toMatch(/npm run build && npm prune --omit=dev/);
    expect(stages[1]).toMatch(/^node:20/);
  });

  it('copies into the runtime image every top-level folder the package ships, and runs the packaged CLI', () => {
    const copied = [...stages[1]!.matchAll(/^COPY --from=build \/app\/(\S+) /gm)].map((m) => m[1]!);
    const shipped = pkg.files.filter((f) => f !== 'README.md').map((f) => f.replace(/\/$/, ''));
    // Each shipped path is copied itself or within a copied folder (all of dist/, only fixtures/tls).
    expect(shipped.filter((f) => !copied.some((c) => f === c || f.startsWith(`${c}/`)))).toEqual([]);
    expect(copied).toEqual(expect.arrayContaining(['node_modules', 'package.json']));
    expect(stages[1]).toContain(`ENTRYPOINT ["node", "/app/${pkg.bin['bcda-conformance']}"]`);
    expect(stages[1]).toMatch(/^USER node$/m);
  });
});
