/** `mock --profile bulk-data-ig`: flags, listings, and startIgMock's handles. */
import * as fs from 'node:fs';
import { parseIgMockFlags, igClientsListing, igFaultsListing } from '../../../src/mock/ig/cli';
import { IG_FAULTS, startIgMock } from '../../../src/mock/ig';
import { runMockCommand } from '../../../src/mock/cli';

describe('generic mock flags', () => {
  it('parses its own flags', () => {
    expect(
      parseIgMockFlags({
        port: '0',
        seed: '3',
        fault: ['ig-token-no-scope,ig-token-long-lived'],
        jobSpeed: '4',
        retryAfterForm: 'http-date',
      }),
    ).toEqual({
      port: 0,
      host: '127.0.0.1',
      control: false,
      quiet: false,
      seed: 3,
      faults: ['ig-token-no-scope', 'ig-token-long-lived'],
      jobSpeed: 4,
      retryAfterForm: 'http-date',
    });
  });

  it.each([
    [{ quirks: true }, /^--quirks: BCDA mock only, not with --profile bulk-data-ig$/],
    [{ fault: ['kickoff-200-instead-of-202'] }, /belongs to the BCDA mock/],
    [{ jobSpeed: '0' }, /--job-speed must be a positive number/],
    [{ retryAfterForm: 'epoch' }, /--retry-after-form takes seconds or http-date/],
    [{ port: '70000' }, /--port must be a whole number/],
  ])('refuses %j in one line', (flags, message) => {
    expect(() => parseIgMockFlags(flags)).toThrow(message);
  });

  it('lists the generic faults and the clients with their key files', () => {
    const faults = igFaultsListing();
    for (const f of IG_FAULTS) expect(faults).toContain(f.name);
    expect(faults).not.toContain('kickoff-200-instead-of-202');
    const clients = igClientsListing();
    expect(clients).toContain('bulk-ig-full-client');
    expect(clients).toContain('bulk-ig-narrow-client');
    expect(clients).toMatch(/RS384 key: \/.*fixtures\/smart\/bulk-ig-full-client\.rs384\.private\.jwk\.json/);
  });

  it('mock --profile with another value is a usage error (exit 2)', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await runMockCommand({ profile: 'smart' });
      expect(process.exitCode).toBe(2);
      expect(String(write.mock.calls[0]?.[0])).toMatch(
        /^bcda-conformance mock: --profile takes bcda or bulk-data-ig, got "smart"\n$/,
      );
    } finally {
      write.mockRestore();
      process.exitCode = 0;
    }
  });
});

describe('startIgMock', () => {
  it('listens and publishes its FHIR base, clients and key files', async () => {
    const server = await startIgMock({ faults: ['ig-token-no-scope'] });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.fhirBase).toBe(`${server.url}/fhir`);
      expect(server.clients.map((c) => c.clientId)).toEqual(['bulk-ig-full-client', 'bulk-ig-narrow-client']);
      for (const c of server.clients)
        for (const file of Object.values(c.keyFiles)) {
          const jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as { d?: string; kid?: string; alg?: string };
          expect([typeof jwk.d, typeof jwk.kid, jwk.alg]).toEqual([
            'string',
            'string',
            expect.stringMatching(/^(RS|ES)384$/),
          ]);
        }
      const res = await fetch(`${server.fhirBase}/metadata`);
      expect(res.status).toBe(200);
      expect(() => server.setFaults(['status-no-expires'])).toThrow(/belongs to the BCDA mock/);
      server.setFaults([]);
      server.reset();
      const faults = await (await fetch(`${server.url}/__mock/faults`)).json();
      expect((faults as { active: string[] }).active).toEqual(['ig-token-no-scope']);
    } finally {
      await server.close();
    }
  });
});
