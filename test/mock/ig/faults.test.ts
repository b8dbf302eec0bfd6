/**
 * The generic mock's faults: the catalog rows, the refusal of BCDA names, and a probe per fault
 * showing that switching it on changes what the mock does.
 */
import { FAULTS } from '../../../src/core/faults';
import { IG_FAULTS, validateIgFaultNames } from '../../../src/mock/ig';
import { resetIgContext, TOKEN_LIFETIME_S } from '../../../src/mock/ig/context';
import {
  FULL,
  NARROW,
  assertion,
  download,
  exportedByType,
  igTestMock,
  kickoffHeaders,
  runExport,
  textParser,
  token,
  tokenForm,
  tokenRequest,
  type IgTestMock,
} from './helpers';

describe('generic fault catalog', () => {
  it('has uniquely named ig-* rows with rules and references', () => {
    expect(IG_FAULTS.length).toBeGreaterThanOrEqual(48);
    const all = FAULTS.map((f) => f.name);
    expect(new Set(all).size).toBe(all.length);
    for (const f of IG_FAULTS) {
      expect(f.name).toMatch(/^ig(-[a-z0-9]+)+$/);
      expect(f.description.length).toBeGreaterThan(10);
      expect(f.breaks.length).toBeGreaterThan(10);
      for (const ref of f.refs) expect(ref).toMatch(/^(bulkdata(-stu3)?@\d+|smart §.+)$/);
    }
  });

  it('refuses unknown names and the BCDA mock faults in one line', () => {
    expect(() => validateIgFaultNames(['ig-token-no-scop'])).toThrow(
      /^unknown fault: ig-token-no-scop \(did you mean "ig-token-no-scope"\?\); `bcda-conformance mock --profile bulk-data-ig --list-faults` lists them all$/,
    );
    expect(() => validateIgFaultNames(['kickoff-200-instead-of-202'])).toThrow(
      /^fault kickoff-200-instead-of-202 belongs to the BCDA mock \(`bcda-conformance mock`\), not the generic one \(--profile bulk-data-ig\)$/,
    );
    expect(validateIgFaultNames([' ig-token-no-scope ', '', 'ig-token-no-scope'])).toEqual([
      'ig-token-no-scope',
    ]);
  });
});

type Probe = (m: IgTestMock) => Promise<unknown>;

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const statusOf = async (res: Promise<{ status: number }>) => (await res).status;
const tokenBody = async (m: IgTestMock, o = {}, scope = 'system/Patient.read') => {
  const res = await tokenRequest(m, o, scope);
  return { status: res.status, body: res.body as unknown, type: res.headers['content-type'] };
};
const kickStatus = (m: IgTestMock, path: string, t: string, prefer = 'respond-async') =>
  statusOf(m.http().get(path).set(kickoffHeaders(t, prefer)));
const exported = async (m: IgTestMock, path: string, opts: { prefer?: string; body?: unknown } = {}) => {
  const t = await token(m);
  const { manifest } = await runExport(m, t, path, opts);
  return { t, manifest, out: await exportedByType(m, t, manifest) };
};
/** The first file of a Patient export, fetched with the token: the answer, its body read as text. */
const firstPatientFile = async (m: IgTestMock) => {
  const t = await token(m);
  const { manifest } = await runExport(m, t, '/fhir/$export?_type=Patient');
  return m
    .http()
    .get(new URL(manifest.output[0]?.url ?? '').pathname)
    .set(bearer(t))
    .buffer(true)
    .parse(textParser);
};
const firstPatientFileLines = async (m: IgTestMock) =>
  ((await firstPatientFile(m)).body as string).split('\n').length;
/**
 * A kick-off of `path`, then (`afterSeconds` on the mock's clock) a GET or DELETE on its status URL
 * with the same token: that status.
 */
const statusAfterKickoff = async (
  m: IgTestMock,
  path: string,
  method: 'get' | 'delete',
  afterSeconds = 0,
) => {
  const t = await token(m);
  const kick = await m.http().get(path).set(kickoffHeaders(t));
  if (afterSeconds) m.ctx.clock.advance(afterSeconds);
  const location = new URL(kick.headers['content-location'] as string).pathname;
  const agent = m.http();
  return statusOf((method === 'get' ? agent.get(location) : agent.delete(location)).set(bearer(t)));
};
const ids = (list: Record<string, unknown>[] | undefined) => (list ?? []).map((r) => r.id as string).sort();
/** The ids of `type` a POST Patient export of that type for patient pat-003 alone brings back. */
const patientParamIds = async (m: IgTestMock, type: string) =>
  ids(
    (
      await exported(m, '/fhir/Patient/$export', {
        body: postBody(
          { name: '_type', valueString: type },
          { name: 'patient', valueReference: { reference: 'Patient/pat-003' } },
        ),
      })
    ).out.get(type),
  );
const postBody = (...parameter: Record<string, unknown>[]) => ({ resourceType: 'Parameters', parameter });
const postKick = async (m: IgTestMock, path: string, body: unknown) => {
  const t = await token(m);
  return statusOf(
    m
      .http()
      .post(path)
      .set(kickoffHeaders(t))
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(body)),
  );
};
const provenanceCount = async (m: IgTestMock, value: string) =>
  (await exported(m, `/fhir/$export?_type=Observation&includeAssociatedData=${value}`)).out.get('Provenance')
    ?.length ?? 0;
const provenanceOf = async (m: IgTestMock, path: string) =>
  (await exported(m, path)).out.get('Provenance')?.length ?? 0;
const heartRate = encodeURIComponent('Observation?code=http://loinc.org|8867-4');
const weight = encodeURIComponent('Observation?code=http://loinc.org|29463-7');
const attachmentOf = async (m: IgTestMock) => {
  const { t, out } = await exported(m, '/fhir/$export?_type=DocumentReference');
  const doc = out.get('DocumentReference')?.[0] as { content: { attachment: Record<string, string> }[] };
  const attachment = doc.content[0]?.attachment ?? {};
  const res = await m
    .http()
    .get(new URL(attachment.url ?? '').pathname)
    .set(bearer(t));
  return { contentType: attachment.contentType, status: res.status };
};
const deletedProbe = async (m: IgTestMock) => {
  const { t, manifest, out } = await exported(
    m,
    `/fhir/$export?_type=Observation&_since=2025-06-01T00:00:00Z`,
  );
  const bundles = await download(m, t, manifest.deleted?.[0]?.url ?? '');
  const urls = bundles.map((b) => (b.entry as { request: { method: string; url: string } }[])[0]?.request);
  return { methods: [...new Set(urls.map((u) => u?.method))], output: ids(out.get('Observation')) };
};

const PROBES: Record<string, Probe> = {
  'ig-smart-config-incomplete': async (m) =>
    (await m.http().get('/fhir/.well-known/smart-configuration')).body,
  'ig-token-no-scope': async (m) => Object.keys((await tokenBody(m)).body as object).sort(),
  'ig-token-grants-extra-scope': async (m) => ((await tokenBody(m)).body as { scope?: string }).scope,
  'ig-token-accepts-expired-assertion': async (m) => (await tokenBody(m, { expIn: -120 })).status,
  'ig-token-accepts-wrong-audience': async (m) =>
    (await tokenBody(m, { aud: 'https://other.example/token' })).status,
  'ig-token-skips-signature': async (m) => {
    const [h, p] = (await assertion(m)).split('.');
    const res = await m
      .http()
      .post('/auth/token')
      .type('form')
      .send(tokenForm(`${h}.${p}.AAAA`, 'system/*.read'));
    return res.status;
  },
  'ig-token-accepts-reused-jti': async (m) => {
    await tokenBody(m, { jti: 'again' });
    return (await tokenBody(m, { jti: 'again' })).status;
  },
  'ig-token-accepts-long-assertion': async (m) => (await tokenBody(m, { expIn: 3600 })).status,
  'ig-token-accepts-unknown-client': async (m) => (await tokenBody(m, { iss: 'not-registered' })).status,
  'ig-token-error-not-json': async (m) => {
    const r = await tokenBody(m, { aud: 'https://other.example/token' });
    return [r.status, r.type];
  },
  'ig-kickoff-ignores-scope': async (m) =>
    kickStatus(m, '/fhir/$export?_type=Observation', await token(m, NARROW, 'system/Patient.read')),
  'ig-download-ignores-scope': async (m) => {
    const { manifest } = await exported(m, '/fhir/$export?_type=Observation');
    // The job's own client with a narrow token (another client's is refused whatever its scopes).
    const narrow = await token(m, FULL, 'system/Patient.read');
    return statusOf(
      m
        .http()
        .get(new URL(manifest.output[0]?.url ?? '').pathname)
        .set(bearer(narrow)),
    );
  },
  'ig-token-long-lived': async (m) => ((await tokenBody(m)).body as { expires_in: number }).expires_in,
  'ig-system-export-missing': async (m) => kickStatus(m, '/fhir/$export', await token(m)),
  'ig-post-kickoff-refused': (m) => postKick(m, '/fhir/Patient/$export', postBody()),
  'ig-post-request-with-params': async (m) =>
    (
      await exported(m, '/fhir/Patient/$export', {
        body: postBody({ name: '_type', valueString: 'Patient' }),
      })
    ).manifest.request,
  'ig-patient-param-ignored': (m) => patientParamIds(m, 'Patient'),
  'ig-patient-unknown-accepted': (m) =>
    postKick(
      m,
      '/fhir/Patient/$export',
      postBody({ name: 'patient', valueReference: { reference: 'Patient/nobody' } }),
    ),
  'ig-patient-outside-group-accepted': (m) =>
    postKick(
      m,
      '/fhir/Group/cohort-a/$export',
      postBody({ name: 'patient', valueReference: { reference: 'Patient/pat-024' } }),
    ),
  'ig-elements-ignored': async (m) =>
    Object.keys(
      (await exported(m, '/fhir/$export?_type=Patient&_elements=gender')).out.get('Patient')?.[0] ?? {},
    ).sort(),
  'ig-elements-no-subsetted-tag': async (m) =>
    (await exported(m, '/fhir/$export?_type=Patient&_elements=gender')).out.get('Patient')?.[0]?.meta,
  'ig-typefilter-ignored': async (m) =>
    (await exported(m, `/fhir/$export?_type=Observation&_typeFilter=${heartRate}`)).out.get('Observation')
      ?.length,
  'ig-typefilter-repeat-keeps-last': async (m) =>
    (
      await exported(m, `/fhir/$export?_type=Observation&_typeFilter=${heartRate}&_typeFilter=${weight}`)
    ).out.get('Observation')?.length,
  'ig-latest-provenance-all': (m) => provenanceCount(m, 'LatestProvenanceResources'),
  'ig-relevant-provenance-missing': (m) => provenanceCount(m, 'RelevantProvenanceResources'),
  'ig-strict-ignores-unknown-param': async (m) => kickStatus(m, '/fhir/$export?_foo=bar', await token(m)),
  'ig-lenient-no-error-outcome': async (m) =>
    (await exported(m, '/fhir/$export?_type=Patient&_foo=bar', { prefer: 'respond-async, handling=lenient' }))
      .manifest.error,
  'ig-deleted-wrong-method': async (m) => (await deletedProbe(m)).methods,
  'ig-deleted-also-in-output': async (m) => (await deletedProbe(m)).output,
  'ig-attachment-url-broken': async (m) => (await attachmentOf(m)).status,
  'ig-attachment-no-content-type': async (m) => (await attachmentOf(m)).contentType,
  'ig-group-read-missing': async (m) => {
    const t = await token(m);
    return [
      await statusOf(m.http().get('/fhir/Group/cohort-a').set(bearer(t))),
      await statusOf(m.http().get('/fhir/Group').set(bearer(t))),
    ];
  },
  'ig-metadata-no-export-operations': async (m) =>
    (await m.http().get('/fhir/metadata')).text.includes('"name":"export"'),
  'ig-metadata-no-instantiates': async (m) =>
    (JSON.parse((await m.http().get('/fhir/metadata')).text) as { instantiates?: unknown }).instantiates,
  'ig-kickoff-accepts-no-token': (m) =>
    statusOf(m.http().get('/fhir/$export').set({ Prefer: 'respond-async' })),
  'ig-status-accepts-no-token': async (m) => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    const path = new URL(kick.headers['content-location'] as string).pathname;
    return [await statusOf(m.http().get(path)), await statusOf(m.http().delete(path))];
  },
  'ig-download-no-token-required': async (m) => {
    const { manifest } = await exported(m, '/fhir/$export?_type=Patient');
    return statusOf(m.http().get(new URL(manifest.output[0]?.url ?? '').pathname));
  },
  'ig-kickoff-no-content-location': async (m) => {
    const res = await m
      .http()
      .get('/fhir/$export')
      .set(kickoffHeaders(await token(m)));
    return [res.status, res.headers['content-location'] === undefined];
  },
  'ig-output-format-ndjson-refused': async (m) =>
    kickStatus(m, '/fhir/$export?_outputFormat=ndjson', await token(m)),
  'ig-status-no-retry-after': async (m) => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    const res = await m
      .http()
      .get(new URL(kick.headers['content-location'] as string).pathname)
      .set(bearer(t));
    return [res.status, res.headers['retry-after']];
  },
  'ig-expired-files-still-served': async (m) => {
    const { manifest } = await exported(m, '/fhir/Patient/$export?_type=Patient');
    m.ctx.clock.advance(25 * 3600);
    const t = await token(m);
    return statusOf(m.http().get(new URL(manifest.output[0]!.url).pathname).set(bearer(t)));
  },
  'ig-failed-job-in-progress': async (m) => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    const location = new URL(kick.headers['content-location'] as string).pathname;
    const id = location.split('/').pop() ?? '';
    await m
      .http()
      .post(`/__mock/jobs/${id}/state`)
      .set('Content-Type', 'application/json')
      .send({ state: 'Failed' });
    return statusOf(m.http().get(location).set(bearer(t)));
  },
  'ig-token-never-expires': async (m) => {
    const t = await token(m);
    m.ctx.clock.advance(TOKEN_LIFETIME_S + 60);
    return statusOf(m.http().get('/fhir/$export').set(kickoffHeaders(t)));
  },
  'ig-token-expiry-kickoff-only': async (m) => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    const path = new URL(kick.headers['content-location'] as string).pathname;
    m.ctx.clock.advance(TOKEN_LIFETIME_S + 60);
    return [
      await statusOf(m.http().get(path).set(bearer(t))),
      await statusOf(m.http().get('/fhir/$export').set(kickoffHeaders(t))),
    ];
  },
  'ig-status-error-json': async (m) =>
    (
      await m
        .http()
        .get('/fhir/bulkstatus/no-such-job')
        .set(bearer(await token(m)))
    ).headers['content-type'],
  'ig-cancel-ignored': async (m) => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    const path = new URL(kick.headers['content-location'] as string).pathname;
    await m.http().delete(path).set(bearer(t));
    return statusOf(m.http().get(path).set(bearer(t)));
  },
  'ig-manifest-relative-urls': async (m) =>
    /^https?:/.test(
      (await runExport(m, await token(m), '/fhir/$export?_type=Patient')).manifest.output[0]?.url ?? '',
    ),
  'ig-download-wrong-content-type': async (m) => {
    const { t, manifest } = await exported(m, '/fhir/$export?_type=Patient');
    const res = await m
      .http()
      .get(new URL(manifest.output[0]?.url ?? '').pathname)
      .set(bearer(t))
      .buffer(true)
      .parse(textParser);
    return res.headers['content-type'];
  },
  'ig-type-ignored': async (m) =>
    (await exported(m, '/fhir/$export?_type=Patient')).manifest.output.map((o) => o.type),
  'ig-since-ignored': async (m) =>
    (await exported(m, '/fhir/$export?_type=Observation&_since=2025-06-01T00:00:00Z')).out.get('Observation')
      ?.length,
  'ig-other-client-job-readable': async (m) => {
    const { manifest, t } = await exported(m, '/fhir/$export?_type=Patient');
    const kick = await m.http().get('/fhir/$export?_type=Patient').set(kickoffHeaders(t));
    const running = new URL(kick.headers['content-location'] as string).pathname;
    const other = bearer(await token(m, NARROW, 'system/Patient.read'));
    return [
      await statusOf(m.http().get(running).set(other)),
      await statusOf(
        m
          .http()
          .get(new URL(manifest.output[0]?.url ?? '').pathname)
          .set(other),
      ),
      await statusOf(m.http().delete(running).set(other)),
    ];
  },
  'ig-poll-rate-limit-ignored': async (m) => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    const path = new URL(kick.headers['content-location'] as string).pathname;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await statusOf(m.http().get(path).set(bearer(t))));
    return statuses;
  },
  'ig-organize-output-ignored': async (m) => {
    const t = await token(m);
    const { manifest } = await runExport(m, t, '/fhir/Patient/$export?organizeOutputBy=Patient');
    const first = await download(m, t, manifest.output[0]?.url ?? '');
    return [
      (manifest as unknown as { outputOrganizedBy?: unknown }).outputOrganizedBy,
      first[0]?.resourceType,
    ];
  },
  'ig-organize-output-mixed': async (m) => {
    const t = await token(m);
    const { manifest } = await runExport(m, t, '/fhir/Group/cohort-a/$export?organizeOutputBy=Patient');
    // Resources under a header that do not reference its patient (Provenance references none).
    let patient = '';
    let strays = 0;
    for (const r of await download(m, t, manifest.output[0]?.url ?? '')) {
      const text = JSON.stringify(r);
      if (r.resourceType === 'Parameters') patient = /"Patient\/([^"]+)"/.exec(text)?.[1] ?? '';
      else if (r.resourceType !== 'Provenance' && r.id !== patient && !text.includes(`"Patient/${patient}"`))
        strays += 1;
    }
    return strays;
  },
  'ig-provenance-default-latest': (m) => provenanceOf(m, '/fhir/Patient/$export'),
  'ig-provenance-unsupported-omitted': async (m) => [
    await kickStatus(
      m,
      '/fhir/Patient/$export?includeAssociatedData=LatestProvenanceResources',
      await token(m),
    ),
    await provenanceOf(m, '/fhir/Patient/$export'),
  ],
  'ig-system-export-provenance-missing': (m) => provenanceOf(m, '/fhir/$export'),
  'ig-deleted-not-listed': async (m) =>
    (await exported(m, '/fhir/$export?_type=Observation&_since=2025-06-01T00:00:00Z')).manifest.deleted
      ?.length,
  'ig-retry-after-epoch': async (m) => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    const res = await m
      .http()
      .get(new URL(kick.headers['content-location'] as string).pathname)
      .set(bearer(t));
    return res.headers['retry-after'];
  },
  // independent faults: bulkdata rows
  'ig-since-day-precision': async (m) => {
    // A minute after an observation's lastUpdated, on the same UTC day: a day-precision _since brings it back.
    const obs = m.ctx.data.resources.find(
      (r) => r.type === 'Observation' && !r.deletedMs && r.lastUpdatedMs % 86_400_000 < 86_000_000,
    )!;
    const since = new Date(obs.lastUpdatedMs + 60_000).toISOString();
    return ids((await exported(m, `/fhir/$export?_type=Observation&_since=${since}`)).out.get('Observation'));
  },
  'ig-type-adds-provenance': async (m) =>
    (await exported(m, '/fhir/$export?_type=Observation')).manifest.output.map((o) => o.type),
  'ig-patient-param-patients-only': (m) => patientParamIds(m, 'Observation'),
  'ig-latest-provenance-oldest': async (m) =>
    ids(
      (
        await exported(m, '/fhir/$export?_type=Observation&includeAssociatedData=LatestProvenanceResources')
      ).out.get('Provenance'),
    ),
  'ig-relevant-provenance-latest-only': (m) => provenanceCount(m, 'RelevantProvenanceResources'),
  'ig-associated-data-most-restrictive': (m) =>
    provenanceCount(m, 'LatestProvenanceResources,RelevantProvenanceResources'),
  'ig-status-expires-iso': async (m) => {
    const t = await token(m);
    const { statusUrl } = await runExport(m, t, '/fhir/$export?_type=Patient');
    return (await m.http().get(new URL(statusUrl).pathname).set(bearer(t))).headers['expires'];
  },
  'ig-transaction-time-latest-data': async (m) =>
    (await exported(m, '/fhir/$export?_type=Patient')).manifest.transactionTime,
  'ig-requires-access-token-false': async (m) =>
    (await exported(m, '/fhir/$export?_type=Patient')).manifest.requiresAccessToken,
  'ig-empty-export-refused': async (m) =>
    kickStatus(m, '/fhir/$export?_type=Patient&_since=2026-01-01T00:00:00Z', await token(m)),
  'ig-manifest-count-off-by-one': async (m) =>
    (await exported(m, '/fhir/$export?_type=Patient')).manifest.output[0]?.count,
  'ig-deleted-bundle-batch': async (m) => {
    const { t, manifest } = await exported(m, '/fhir/$export?_type=Observation&_since=2025-06-01T00:00:00Z');
    return [...new Set((await download(m, t, manifest.deleted?.[0]?.url ?? '')).map((b) => b.type))];
  },
  'ig-manifest-error-omitted': async (m) =>
    'error' in (await exported(m, '/fhir/$export?_type=Patient')).manifest,
  'ig-ndjson-pretty-printed': firstPatientFileLines,
  'ig-attachment-url-relative': async (m) => {
    const { out } = await exported(m, '/fhir/$export?_type=DocumentReference');
    const doc = out.get('DocumentReference')?.[0] as { content: { attachment: { url?: string } }[] };
    return doc.content[0]?.attachment.url?.startsWith('http');
  },
  'ig-attachment-empty': async (m) => {
    const { out } = await exported(m, '/fhir/$export?_type=DocumentReference');
    const docs = (out.get('DocumentReference') ?? []) as { content: { attachment: { url?: string } }[] }[];
    return docs.filter((d) => d.content[0]?.attachment.url !== undefined).length;
  },
  'ig-instantiates-ig-url': async (m) =>
    (JSON.parse((await m.http().get('/fhir/metadata')).text) as { instantiates?: unknown }).instantiates,
  'ig-patient-export-practitioners': async (m) =>
    (await exported(m, '/fhir/Patient/$export')).manifest.output.map((o) => o.type),
  'ig-organize-items-typed': async (m) => {
    const { manifest } = await runExport(m, await token(m), '/fhir/Patient/$export?organizeOutputBy=Patient');
    return manifest.output[0]?.type;
  },
  'ig-organize-patient-last': async (m) => {
    const t = await token(m);
    const { manifest } = await runExport(m, t, '/fhir/Patient/$export?organizeOutputBy=Patient');
    return (await download(m, t, manifest.output[0]?.url ?? ''))[1]?.resourceType;
  },
  'ig-cancelled-status-empty': async (m) => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    const path = new URL(kick.headers['content-location'] as string).pathname;
    await m.http().delete(path).set(bearer(t));
    const res = await m.http().get(path).set(bearer(t)).buffer(true).parse(textParser);
    return [res.status, res.body];
  },
  'ig-since-offset-refused': async (m) =>
    kickStatus(m, '/fhir/$export?_type=Patient&_since=2025-06-01T00:00:00-05:00', await token(m)),
  'ig-unknown-file-empty': async (m) => {
    const { t, manifest } = await exported(m, '/fhir/$export?_type=Patient');
    const path = new URL(manifest.output[0]?.url ?? '').pathname.replace(/[^/]+$/, 'nothing-1.ndjson');
    return statusOf(m.http().get(path).set(bearer(t)));
  },
  'ig-request-relative': async (m) => (await exported(m, '/fhir/$export?_type=Patient')).manifest.request,
  'ig-manifest-output-repeated': async (m) =>
    (await runExport(m, await token(m), '/fhir/$export?_type=Patient')).manifest.output.length,
  'ig-cancel-unknown-accepted': async (m) =>
    statusOf(
      m
        .http()
        .delete('/fhir/bulkstatus/00000000-0000-4000-8000-000000000000')
        .set(bearer(await token(m))),
    ),
  'ig-status-unknown-plain-404': async (m) =>
    (
      await m
        .http()
        .get('/fhir/bulkstatus/00000000-0000-4000-8000-000000000000')
        .set(bearer(await token(m)))
    ).headers['content-type'],
  'ig-elements-drops-mandatory': async (m) =>
    Object.keys(
      (await exported(m, '/fhir/$export?_type=Observation&_elements=subject')).out.get('Observation')?.[0] ??
        {},
    ).sort(),
  'ig-typefilter-repeats-anded': async (m) =>
    (
      await exported(m, `/fhir/$export?_type=Observation&_typeFilter=${heartRate}&_typeFilter=${weight}`)
    ).out.get('Observation')?.length,
  'ig-provenance-observations-only': (m) => provenanceOf(m, '/fhir/Patient/$export'),
  'ig-status-not-found-at-first': (m: IgTestMock) => statusAfterKickoff(m, '/fhir/$export', 'get'),
  'ig-provenance-in-target-files': async (m) => {
    const { t, manifest } = await exported(m, '/fhir/Patient/$export');
    const item = manifest.output.find((o) => o.type === 'Observation');
    return [...new Set((await download(m, t, item?.url ?? '')).map((r) => r.resourceType))];
  },
  'ig-lenient-first-ignored-only': async (m) =>
    (
      await exported(m, '/fhir/$export?_type=Patient&_foo=bar&_baz=qux', {
        prefer: 'respond-async, handling=lenient',
      })
    ).manifest.error[0]?.count,
  'ig-organize-split-no-header': async (m) => {
    const t = await token(m);
    const { manifest } = await runExport(m, t, '/fhir/Patient/$export?organizeOutputBy=Patient');
    return (await download(m, t, manifest.output[1]?.url ?? manifest.output[0]?.url ?? ''))[0]?.resourceType;
  },
  'ig-associated-data-unknown-ignored': async (m) =>
    kickStatus(m, '/fhir/$export?includeAssociatedData=_noSuchValue', await token(m)),
  'ig-typefilter-unsupported-dropped': async (m) =>
    kickStatus(
      m,
      `/fhir/$export?_type=Observation&_typeFilter=${encodeURIComponent('Observation?nosuch=x')}`,
      await token(m),
    ),
  'ig-kickoff-error-status-200': async (m) => kickStatus(m, '/fhir/$export?_type=NoSuchType', await token(m)),
  'ig-attachment-as-binary-resource': async (m) => {
    const { t, out } = await exported(m, '/fhir/$export?_type=DocumentReference');
    const doc = out.get('DocumentReference')?.[0] as { content: { attachment: { url: string } }[] };
    const res = await m
      .http()
      .get(new URL(doc.content[0]?.attachment.url ?? '').pathname)
      .set(bearer(t))
      .buffer(true)
      .parse(textParser);
    return res.headers['content-type'];
  },
  'ig-status-expires-past': async (m) => {
    const t = await token(m);
    const { statusUrl } = await runExport(m, t, '/fhir/$export?_type=Patient');
    return (await m.http().get(new URL(statusUrl).pathname).set(bearer(t))).headers['expires'];
  },
  'ig-system-export-needs-type': async (m) => kickStatus(m, '/fhir/$export', await token(m)),
  'ig-manifest-as-parameters': async (m) => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export?_type=Patient').set(kickoffHeaders(t));
    m.ctx.clock.advance(10);
    const res = await m
      .http()
      .get(new URL(kick.headers['content-location'] as string).pathname)
      .set(bearer(t));
    return (res.body as { resourceType?: unknown }).resourceType;
  },
};

// independent faults: smart-backend rows (issue 16 item 5), written from the rows' text.
/** A token request naming the full client, signed with the narrow client's key (its kid too). */
const foreignKeyStatus = async (m: IgTestMock) =>
  (await tokenBody(m, { clientId: NARROW, iss: FULL })).status;
Object.assign(PROBES, {
  'ig-smart-config-plain-pkce': async (m: IgTestMock) =>
    (await m.http().get('/fhir/.well-known/smart-configuration')).body,
  'ig-smart-config-rs256-only': async (m: IgTestMock) =>
    (await m.http().get('/fhir/.well-known/smart-configuration')).body,
  'ig-token-rs256-only': async (m: IgTestMock) => (await tokenBody(m, { alg: 'ES384' })).status,
  'ig-token-expires-in-string': async (m: IgTestMock) =>
    typeof ((await tokenBody(m)).body as { expires_in: unknown }).expires_in,
  'ig-token-key-of-any-client': foreignKeyStatus,
  'ig-token-expired-grace': async (m: IgTestMock) => (await tokenBody(m, { expIn: -120 })).status,
  'ig-token-aud-fhir-base': async (m: IgTestMock) => (await tokenBody(m, { aud: `${m.root()}/fhir` })).status,
  'ig-token-sub-unchecked': async (m: IgTestMock) => (await tokenBody(m, { sub: 'not-registered' })).status,
  'ig-token-jti-last-only': async (m: IgTestMock) => {
    await tokenBody(m, { jti: 'first' });
    await tokenBody(m, { jti: 'between' });
    return (await tokenBody(m, { jti: 'first' })).status;
  },
  'ig-token-error-bearer-code': async (m: IgTestMock) =>
    (await tokenBody(m, { aud: 'https://other.example/token' })).body,
  'ig-token-error-no-description': async (m: IgTestMock) =>
    (await tokenBody(m, { aud: 'https://other.example/token' })).body,
  'ig-token-refresh-token': async (m: IgTestMock) => Object.keys((await tokenBody(m)).body as object).sort(),
  'ig-kickoff-drops-uncovered-types': async (m: IgTestMock) =>
    kickStatus(m, '/fhir/$export?_type=Patient,Observation', await token(m, NARROW, 'system/Patient.read')),
  'ig-untyped-export-ignores-scope': async (m: IgTestMock) => {
    const t = await token(m, NARROW, 'system/Patient.read');
    const { manifest } = await runExport(m, t, '/fhir/Patient/$export');
    return [...new Set(manifest.output.map((o) => o.type))].sort();
  },
  // independent faults (h5): bulkdata ≥@144
  'ig-transaction-time-no-zone': async (m: IgTestMock) =>
    (await exported(m, '/fhir/$export?_type=Patient')).manifest.transactionTime.endsWith('Z'),
  'ig-requires-access-token-omitted': async (m: IgTestMock) =>
    'requiresAccessToken' in (await exported(m, '/fhir/$export?_type=Patient')).manifest,
  'ig-output-by-type': async (m: IgTestMock) =>
    Array.isArray((await runExport(m, await token(m), '/fhir/$export?_type=Patient')).manifest.output),
  'ig-deleted-null': async (m: IgTestMock) =>
    (await runExport(m, await token(m), '/fhir/$export?_type=Patient')).manifest.deleted,
  'ig-deleted-items-url-only': async (m: IgTestMock) =>
    Object.keys((await runExport(m, await token(m), SINCE_OBSERVATIONS)).manifest.deleted?.[0] ?? {}),
  'ig-error-messages-inline': async (m: IgTestMock) =>
    Object.keys(
      (await runExport(m, await token(m), LENIENT_PATH, { prefer: LENIENT })).manifest.error[0] ?? {},
    ),
  'ig-messages-in-output': async (m: IgTestMock) =>
    (await runExport(m, await token(m), LENIENT_PATH, { prefer: LENIENT })).manifest.output.map(
      (o) => o.type,
    ),
  'ig-deleted-since-by-last-update': async (m: IgTestMock) =>
    (await runExport(m, await token(m), SINCE_OBSERVATIONS)).manifest.deleted?.map((d) => d.count),
  'ig-deleted-empty-bundle': async (m: IgTestMock) =>
    (await deletedBundles(m)).map((b) => Array.isArray(b.entry)),
  'ig-deleted-entry-full-url': async (m: IgTestMock) =>
    ((await deletedBundles(m))[0]?.entry as { request?: { url?: string } }[] | undefined)?.[0]?.request?.url,
  'ig-error-file-bundle': async (m: IgTestMock) => {
    const t = await token(m);
    const { manifest } = await runExport(m, t, LENIENT_PATH, { prefer: LENIENT });
    return (await download(m, t, manifest.error[0]?.url ?? '')).map((r) => r.resourceType);
  },
  'ig-last-file-missing': async (m: IgTestMock) => {
    const t = await token(m);
    const { manifest } = await runExport(m, t, '/fhir/$export?_type=Patient,Observation');
    return statusOf(
      m
        .http()
        .get(new URL(manifest.output.at(-1)?.url ?? '').pathname)
        .set(bearer(t)),
    );
  },
  'ig-file-partial-content': async (m: IgTestMock) => (await firstPatientFile(m)).status,
  'ig-status-complete-fhir-json': async (m: IgTestMock) => {
    const t = await token(m);
    const { statusUrl } = await runExport(m, t, '/fhir/$export?_type=Patient');
    return (await m.http().get(new URL(statusUrl).pathname).set(bearer(t))).headers['content-type'];
  },
  'ig-request-object': async (m: IgTestMock) =>
    typeof (await runExport(m, await token(m), '/fhir/$export?_type=Patient')).manifest.request,
  'ig-group-id-alphanumeric-only': async (m: IgTestMock) =>
    kickStatus(m, '/fhir/Group/cohort-a/$export', await token(m)),
  'ig-content-location-no-base-path': (m: IgTestMock) =>
    statusAfterKickoff(m, '/fhir/$export?_type=Patient', 'get'),
  'ig-cancel-not-allowed': (m: IgTestMock) => statusAfterKickoff(m, '/fhir/$export?_type=Patient', 'delete'),
  'ig-group-since-by-patient-stamp': async (m: IgTestMock) =>
    ids(
      (
        await exported(m, '/fhir/Group/cohort-a/$export?_type=Observation&_since=2025-01-01T00:00:00Z')
      ).out.get('Observation'),
    ),
  'ig-patient-export-shadowed-by-read': async (m: IgTestMock) =>
    kickStatus(m, '/fhir/Patient/$export', await token(m)),
  'ig-attachment-needs-api-key': async (m: IgTestMock) =>
    statusOf(
      m
        .http()
        .get('/fhir/Binary/bin-001')
        .set(bearer(await token(m))),
    ),
  'ig-output-omitted-when-empty': async (m: IgTestMock) =>
    'output' in
    (await runExport(m, await token(m), '/fhir/$export?_type=Patient&_since=2026-01-01T00:00:00Z')).manifest,
  'ig-error-file-json-content-type': async (m: IgTestMock) => {
    const t = await token(m);
    const { manifest } = await runExport(m, t, LENIENT_PATH, { prefer: LENIENT });
    return (
      await m
        .http()
        .get(new URL(manifest.error[0]?.url ?? '').pathname)
        .set(bearer(t))
    ).headers['content-type'];
  },
  'ig-patient-export-membership-join': async (m: IgTestMock) =>
    (await exported(m, '/fhir/Patient/$export?_type=Observation')).out.get('Observation')?.length,
  'ig-open-files-binary-needs-token': async (m: IgTestMock) => {
    const { manifest } = await runExport(m, await token(m), '/fhir/$export?_type=Patient');
    const file = await m.http().get(new URL(manifest.output[0]?.url ?? '').pathname);
    return [manifest.requiresAccessToken, file.status];
  },
  'ig-patient-query-not-decoded': async (m: IgTestMock) =>
    kickStatus(m, '/fhir/Patient/$export?_outputFormat=application%2Ffhir%2Bndjson', await token(m)),
  'ig-kickoff-error-xml': async (m: IgTestMock) =>
    (
      await m
        .http()
        .get('/fhir/$export?_type=NoSuchType')
        .set(kickoffHeaders(await token(m)))
    ).headers['content-type'],
});

// Shared by the probes of the independent faults (h5).
const SINCE_OBSERVATIONS = '/fhir/$export?_type=Observation&_since=2025-06-01T00:00:00Z';
const LENIENT_PATH = '/fhir/$export?_type=Patient&_foo=bar';
const LENIENT = 'respond-async, handling=lenient';
/** The Bundles of the first deleted file of a _since export of observations. */
async function deletedBundles(m: IgTestMock): Promise<Record<string, unknown>[]> {
  const t = await token(m);
  const { manifest } = await runExport(m, t, SINCE_OBSERVATIONS);
  return download(m, t, manifest.deleted?.[0]?.url ?? '');
}

// independent faults (h4): bulkdata ≤@143 (issue 16 item 5), written from the rows' text.
/** A failed job's status answer: its status and Content-Type. */
const failedJobStatus = async (m: IgTestMock) => {
  const t = await token(m);
  const kick = await m.http().get('/fhir/$export?_type=Patient').set(kickoffHeaders(t));
  const location = new URL(kick.headers['content-location'] as string).pathname;
  const id = location.split('/').pop() ?? '';
  await m
    .http()
    .post(`/__mock/jobs/${id}/state`)
    .set('Content-Type', 'application/json')
    .send({ state: 'Failed' });
  const res = await m.http().get(location).set(bearer(t));
  return [res.status, res.headers['content-type']];
};
Object.assign(PROBES, {
  'ig-ndjson-json-array': firstPatientFileLines,
  'ig-kickoff-requires-output-format': async (m: IgTestMock) =>
    kickStatus(m, '/fhir/Patient/$export', await token(m)),
  'ig-get-kickoff-refused': async (m: IgTestMock) => kickStatus(m, '/fhir/Patient/$export', await token(m)),
  'ig-failed-job-200-error-file': failedJobStatus,
  'ig-failed-job-outcome-json-type': failedJobStatus,
  'ig-type-unknown-dropped-when-mixed': async (m: IgTestMock) =>
    kickStatus(m, '/fhir/Patient/$export?_type=Patient,Practitioner', await token(m)),
  'ig-system-provenance-stale': (m: IgTestMock) => provenanceOf(m, '/fhir/$export'),
  'ig-poll-rate-limit-503': async (m: IgTestMock) => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    const path = new URL(kick.headers['content-location'] as string).pathname;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await statusOf(m.http().get(path).set(bearer(t))));
    return statuses;
  },
  'ig-elements-untyped-ignored': async (m: IgTestMock) =>
    Object.keys(
      (await exported(m, '/fhir/$export?_type=Patient&_elements=gender')).out.get('Patient')?.[0] ?? {},
    ).sort(),
  'ig-group-export-population-data': async (m: IgTestMock) =>
    (await exported(m, '/fhir/Group/cohort-a/$export?_type=Observation')).out.get('Observation')?.length,
  'ig-group-export-no-patients': async (m: IgTestMock) =>
    (await exported(m, '/fhir/Group/cohort-a/$export')).manifest.output.map((o) => o.type),
  'ig-patient-only-first-checked': async (m: IgTestMock) =>
    postKick(
      m,
      '/fhir/Patient/$export',
      postBody(
        { name: 'patient', valueReference: { reference: 'Patient/pat-003' } },
        { name: 'patient', valueReference: { reference: 'Patient/no-such-patient' } },
      ),
    ),
  'ig-outside-compartment-accepted': async (m: IgTestMock) =>
    kickStatus(m, '/fhir/Patient/$export?_type=Practitioner', await token(m)),
  'ig-repeated-param-refused': async (m: IgTestMock) =>
    kickStatus(m, '/fhir/$export?_type=Patient&_type=Observation', await token(m)),
  'ig-files-not-ready-at-completion': async (m: IgTestMock) => (await firstPatientFile(m)).status,
  'ig-output-format-short-job-fails': (m: IgTestMock) =>
    statusAfterKickoff(m, '/fhir/$export?_type=Patient&_outputFormat=ndjson', 'get', 10),
  'ig-group-type-ignored': async (m: IgTestMock) =>
    (await exported(m, '/fhir/Group/cohort-a/$export?_type=Patient')).manifest.output.map((o) => o.type),
  'ig-retry-after-first-poll-only': async (m: IgTestMock) => {
    const t = await token(m);
    const kick = await m.http().get('/fhir/$export').set(kickoffHeaders(t));
    const path = new URL(kick.headers['content-location'] as string).pathname;
    const first = await m.http().get(path).set(bearer(t));
    const second = await m.http().get(path).set(bearer(t));
    return [first.status, first.headers['retry-after'], second.status, second.headers['retry-after']];
  },
  'ig-elements-keeps-references': async (m: IgTestMock) =>
    Object.keys(
      (await exported(m, '/fhir/$export?_type=Observation&_elements=status')).out.get('Observation')?.[0] ??
        {},
    ).sort(),
  'ig-patient-file-first-page': async (m: IgTestMock) =>
    (await exported(m, '/fhir/Patient/$export?_type=Patient')).out.get('Patient')?.length,
  'ig-status-running-204': (m: IgTestMock) => statusAfterKickoff(m, '/fhir/$export', 'get'),
  'ig-group-read-as-bundle': async (m: IgTestMock) =>
    (
      (
        await m
          .http()
          .get('/fhir/Group/cohort-a')
          .set(bearer(await token(m)))
      ).body as { resourceType?: string }
    ).resourceType,
  'ig-token-requires-basic-auth': async (m: IgTestMock) => (await tokenBody(m)).status,
  'ig-smart-config-token-path': async (m: IgTestMock) =>
    ((await m.http().get('/fhir/.well-known/smart-configuration')).body as { token_endpoint?: string })
      .token_endpoint,
  'ig-subsetted-typed-only': async (m: IgTestMock) =>
    (await exported(m, '/fhir/$export?_type=Patient&_elements=gender')).out.get('Patient')?.[0]?.meta,
  // independent faults (rc): bulkdata ≤@176, round 2
  'ig-patient-param-refused-plain-text': async (m: IgTestMock) => {
    const t = await token(m);
    const res = await m
      .http()
      .post('/fhir/Patient/$export')
      .set(kickoffHeaders(t))
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(postBody({ name: 'patient', valueReference: { reference: 'Patient/pat-003' } })));
    return [res.status, res.headers['content-type']];
  },
  'ig-output-format-full-job-fails': (m: IgTestMock) =>
    statusAfterKickoff(
      m,
      `/fhir/$export?_type=Patient&_outputFormat=${encodeURIComponent('application/fhir+ndjson')}`,
      'get',
      10,
    ),
  'ig-group-manifest-no-request': async (m: IgTestMock) =>
    ((await exported(m, '/fhir/Group/cohort-a/$export?_type=Patient')).manifest as { request?: unknown })
      .request,
  // independent faults (rd): bulkdata ≥@186, round 2
  'ig-attachment-sign-in-page': async (m: IgTestMock) => {
    const { t, out } = await exported(m, '/fhir/$export?_type=DocumentReference');
    const doc = out.get('DocumentReference')?.[0] as { content: { attachment: Record<string, string> }[] };
    const res = await m
      .http()
      .get(new URL(doc.content[0]?.attachment.url ?? '').pathname)
      .set(bearer(t));
    return res.headers['content-type'];
  },
  'ig-attachment-type-extension': async (m: IgTestMock) => (await attachmentOf(m)).contentType,
  'ig-system-kickoff-200': async (m: IgTestMock) => kickStatus(m, '/fhir/$export', await token(m)),
  'ig-deleted-lists-changed': async (m: IgTestMock) => {
    const { t, manifest } = await exported(m, `/fhir/$export?_type=Observation&_since=2025-06-01T00:00:00Z`);
    return (await download(m, t, manifest.deleted?.[0]?.url ?? '')).length;
  },
  'ig-error-single-item-unwrapped': async (m: IgTestMock) =>
    Array.isArray(
      (
        await exported(m, '/fhir/$export?_type=Patient&_foo=bar', {
          prefer: 'respond-async, handling=lenient',
        })
      ).manifest.error,
    ),
});

// independent faults (rb): seeds 002/003, smart, behavior, round 2
Object.assign(PROBES, {
  'ig-token-outlives-expires-in': async (m: IgTestMock) => {
    const t = await token(m);
    m.ctx.clock.advance(TOKEN_LIFETIME_S + 120);
    return statusOf(m.http().get('/fhir/$export').set(kickoffHeaders(t)));
  },
  'ig-token-assertion-cap-from-iat': async (m: IgTestMock) =>
    (await tokenBody(m, { expIn: 900, iatIn: 720 })).status,
});

describe('every generic fault changes the mock behaviour', () => {
  let m: IgTestMock;
  beforeAll(async () => {
    m = await igTestMock();
  });
  afterAll(() => m.close());

  it('has a probe for every generic fault', () => {
    expect(IG_FAULTS.map((f) => f.name).filter((n) => !PROBES[n])).toEqual([]);
    expect(FULL).toBe('bulk-ig-full-client');
  });

  it.each(IG_FAULTS.map((f) => [f.name]))('%s', async (name) => {
    const probe = PROBES[name];
    if (!probe) throw new Error(`no probe for ${name}`);
    resetIgContext(m.ctx);
    const normal = await probe(m);
    resetIgContext(m.ctx);
    m.ctx.faults.set(validateIgFaultNames([name]));
    const faulty = await probe(m);
    resetIgContext(m.ctx);
    expect(faulty).not.toEqual(normal);
  });
});
