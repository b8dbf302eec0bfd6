/**
 * Client credentials the mock's /auth/token accepts. The published sandbox pair (seed 002) maps to
 * A9994 like on sandbox.bcda.cms.gov; every other built-in ACO has a fixed pair documented here,
 * in src/mock/README.md and by `bcda-conformance mock --list-credentials`. These are test
 * credentials for a local mock, not secrets.
 */
import { readFileSync } from 'node:fs';
import { acoFromInput, type AcoInput, type MockAco } from './acos';

export interface MockCredential {
  clientId: string;
  clientSecret: string;
  cmsId: string;
}

/** Published sandbox credentials (seed 002, "Authentication and Authorization"). */
export const SANDBOX_CREDENTIAL: MockCredential = {
  clientId: '3841c594-a8c0-41e5-98cc-38bb45360d3c',
  clientSecret: 'f9780d323588f1cdfc3e63e95a8cbdcdd47602ff48a537b51dc5d7834bf466416a716bd4508e904a',
  cmsId: 'A9994',
};

/** The CMS id of UNKNOWN_ACO_CREDENTIAL, which no built-in ACO has. */
export const UNKNOWN_ACO_ID = 'X9999';

export const UNKNOWN_ACO_CREDENTIAL: MockCredential = {
  cmsId: UNKNOWN_ACO_ID,
  clientId: '6a3da59e-c3c6-4464-a320-8b6bbd658318',
  clientSecret: 'b7a36488eee8799b00befd3c7d323d00af89e7a27a13204613a204e11d5a5c945ba7a63561d7c9c9',
};

/** Fixed credentials of the other built-in ACOs (derived once from sha256/sha512 of the CMS id). */
export const BUILT_IN_CREDENTIALS: readonly MockCredential[] = [
  SANDBOX_CREDENTIAL,
  {
    cmsId: 'A9990',
    clientId: '0ce4b723-d3aa-4f80-8412-7019275f2dcb',
    clientSecret: '66d597842ba3eda2992637ae3a704e596fdf799510d941b4da03adf96f6d5df3e264951e923781b5',
  },
  {
    cmsId: 'A9991',
    clientId: 'fc25f061-49a0-450d-8699-a54e5b61b7d8',
    clientSecret: '8afcfd117dfb1a2a0742d98b66e16d04d4359d18c7bd016172ccc71e49f2608c146c99b24767570e',
  },
  {
    cmsId: 'A9992',
    clientId: '19b90fbd-6f63-4cbc-8f9f-7b9f52698cf7',
    clientSecret: '91ef514ff19f288af13585ae515d50b9c223c210003feccbc788a7f91d6911266e2e1e75ba0b8d8f',
  },
  {
    cmsId: 'A9993',
    clientId: '78ca19df-4627-4a01-8a9e-2528b4937aa5',
    clientSecret: '961f46909ff27935c7aa34b47c3d4bbb3972caba9b7b8f5a0dd9cf0fafa3eef057d60cbd97281894',
  },
  {
    cmsId: 'TEST001',
    clientId: 'b6560ae0-f4ff-4126-8315-0a62ec22385a',
    clientSecret: 'ce8edb3ce7ab68409deb53b4ba5c0a132bc884208858a6daef94cb19853932f41e6b131190ee1ab7',
  },
  {
    cmsId: 'A9997',
    clientId: '54aa008b-c631-4ccc-881b-66b3ec2fb39d',
    clientSecret: '1bc125a5f1201cdb8e5abb3d55678f5630c8ced13f92c15b240cc419530d8aa1d9f75454f0923502',
  },
  {
    cmsId: 'TEST995',
    clientId: 'f7b2c858-2f42-4463-8444-6489d00ee090',
    clientSecret: 'c8754b89f0b948c1e900f31fccfc93a65b45d5769b3e5a724176296ab4920776ac4d06048a095336',
  },
  {
    cmsId: 'TEST996',
    clientId: 'eadc543b-8751-4922-a570-3eef7d1a1a71',
    clientSecret: '6fe79b59da37efb20a1dbbe4f08ae8d3e84e1e475aee5792fc894d2876f5e964e080f43ca3e693d9',
  },
  // A client whose organization BCDA does not know: its tokens are valid, its CMS id is in no ACO
  // table (every token-checked route answers 403 "Unauthorized Error", behavior §5).
  UNKNOWN_ACO_CREDENTIAL,
  {
    cmsId: 'SBXBM0002',
    clientId: 'd5ee2637-83f6-40cc-8554-4d03d1104e65',
    clientSecret: 'c0a638952a757d075d11e226e3c7fc572346d451c35b4686d7c481109c3060c5b49631f29896ed96',
  },
];

/** One entry of a credentials file: an ACO plus, optionally, the client pair that maps to it. */
export type CredentialFileEntry = AcoInput & { clientId?: string; clientSecret?: string };

export interface AcoRegistryInput {
  acos: MockAco[];
  credentials: MockCredential[];
}

/**
 * Adds or replaces ACOs (by CMS id) and credentials (by client id). A replaced ACO keeps the
 * built-in credentials unless the entry brings its own pair.
 */
export function mergeAcos(base: AcoRegistryInput, entries: readonly CredentialFileEntry[]): AcoRegistryInput {
  const acos = new Map(base.acos.map((a) => [a.cmsId, a]));
  const credentials = new Map(base.credentials.map((c) => [c.clientId, c]));
  for (const entry of entries) {
    const { clientId, clientSecret, ...acoFields } = entry;
    acos.set(entry.cmsId, acoFromInput(acoFields));
    if (clientId !== undefined && clientSecret !== undefined) {
      credentials.set(clientId, { clientId, clientSecret, cmsId: entry.cmsId });
    }
  }
  return { acos: [...acos.values()], credentials: [...credentials.values()] };
}

const BOOLEAN_FIELDS = [
  'adjudicated',
  'partiallyAdjudicated',
  'denylisted',
  'enabled',
  'runout',
  'rateLimited',
  'v1v2Denied',
  'v3Denied',
] as const;
const STRING_FIELDS = ['uuid', 'name', 'clientId', 'clientSecret'] as const;

/** Checks one entry of a credentials file; throws an Error naming the entry and the field. */
export function parseCredentialEntry(value: unknown, where: string): CredentialFileEntry {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: expected an object with at least "cmsId"`);
  }
  const raw = value as Record<string, unknown>;
  if (typeof raw.cmsId !== 'string' || !/^[A-Za-z0-9]{1,20}$/.test(raw.cmsId)) {
    throw new Error(`${where}: "cmsId" must be a string of 1-20 letters or digits`);
  }
  const entry: CredentialFileEntry = { cmsId: raw.cmsId };
  for (const field of BOOLEAN_FIELDS) {
    if (raw[field] === undefined) continue;
    if (typeof raw[field] !== 'boolean') throw new Error(`${where}: "${field}" must be true or false`);
    entry[field] = raw[field];
  }
  for (const field of STRING_FIELDS) {
    if (raw[field] === undefined) continue;
    if (typeof raw[field] !== 'string' || raw[field] === '') {
      throw new Error(`${where}: "${field}" must be a non-empty string`);
    }
    entry[field] = raw[field];
  }
  if (raw.beneficiaries !== undefined) {
    const n = raw.beneficiaries;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1_000_000) {
      throw new Error(`${where}: "beneficiaries" must be an integer from 1 to 1000000`);
    }
    entry.beneficiaries = n;
  }
  if (raw.attribution !== undefined) {
    if (raw.attribution !== 'current' && raw.attribution !== 'outdated' && raw.attribution !== 'missing') {
      throw new Error(`${where}: "attribution" must be "current", "outdated" or "missing"`);
    }
    entry.attribution = raw.attribution;
  }
  if ((entry.clientId === undefined) !== (entry.clientSecret === undefined)) {
    throw new Error(`${where}: give both "clientId" and "clientSecret", or neither`);
  }
  if (entry.clientId !== undefined && entry.clientId.includes(':')) {
    throw new Error(`${where}: "clientId" cannot contain ':' (it is sent in HTTP Basic)`);
  }
  return entry;
}

/**
 * Reads a credentials file: JSON, either an array of entries or `{ "acos": [ ... ] }`.
 * Every problem becomes an Error with a message fit for a user (no stack needed).
 */
export function loadCredentialsFile(path: string): CredentialFileEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read credentials file ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`credentials file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(parsed)
    ? parsed
    : parsed !== null && typeof parsed === 'object' && Array.isArray((parsed as { acos?: unknown }).acos)
      ? (parsed as { acos: unknown[] }).acos
      : undefined;
  if (!list) throw new Error(`credentials file ${path}: expected an array of ACOs or {"acos": [...]}`);
  return list.map((entry, i) => parseCredentialEntry(entry, `credentials file ${path}, entry ${i}`));
}

/** `Basic base64(id:secret)` → the pair, or undefined when the header is not usable Basic. */
export function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
