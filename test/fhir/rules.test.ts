import { RULE } from '../../src/fhir';

describe('the validator rule codes', () => {
  it('are distinct lower-case words joined by "-"', () => {
    const codes = Object.values(RULE);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
