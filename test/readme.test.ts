/** The README stays a guide a newcomer reads in a minute: small, with its contents and quick start. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const README = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

describe('README.md', () => {
  it('is under 25 KB (generated tables live in docs/)', () => {
    expect(Buffer.byteLength(README)).toBeLessThan(25 * 1024);
  });

  it('keeps the two quick-start commands', () => {
    expect(README).toContain('npm install && npm run conformance');
    expect(README).toContain('npm install && npm test');
  });

  it('has a table of contents that lists every section, in order', () => {
    const headings = [...README.matchAll(/^## (.+)$/gm)].map((m) => m[1]!).filter((h) => h !== 'Contents');
    const listed = [...README.matchAll(/^- \[(.+)\]\(#([a-z0-9-]+)\)$/gm)].map((m) => [m[1], m[2]]);
    expect(listed).toEqual(
      headings.map((h) => [
        h,
        h
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ]),
    );
  });
});
