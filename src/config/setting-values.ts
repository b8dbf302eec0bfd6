/**
 * Reads one setting's value by its kind (see core/settings.ts), from whichever source gave it: text
 * from a flag or the environment, or a JSON/YAML value from a config file. Each problem is a
 * ConfigError naming the setting as the user gave it (`label`).
 */
import { isBlockedAddress } from '../core/blocked-address';
import type { SettingRow } from '../core/settings';
import { didYouMean } from '../core/did-you-mean';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const shown = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** The value of `row` given as `value` (text, or a file's JSON value); undefined when absent. */
export function readSettingValue(row: SettingRow, value: unknown, label: string): unknown {
  if (value === undefined || value === null) return undefined;
  switch (row.kind) {
    case 'text':
    case 'secret':
      return text(value, label);
    case 'url':
      return targetUrl(text(value, label), label);
    case 'choice':
      return choice(value, label, row);
    case 'choices':
      return list(value, label).map((v) => choice(v, label, row));
    case 'names':
      return list(value, label);
    case 'origins':
      return origins(value, label);
    case 'seconds':
      return seconds(value, label);
    case 'count':
      return count(value, label, row.min ?? 0);
    case 'switch':
      return onOff(value, label);
  }
}

function text(value: unknown, label: string): string {
  if (typeof value !== 'string') throw new ConfigError(`${label} must be a string (got ${shown(value)})`);
  if (value.trim() === '') throw new ConfigError(`${label} must not be empty`);
  return value;
}

/** What a setting of each kind must be, for a config-file value of the wrong JSON type. */
export function wantedOf(row: SettingRow): string {
  switch (row.kind) {
    case 'text':
    case 'secret':
    case 'url':
      return 'must be a string';
    case 'choice':
      return `must be one of ${valuesText(row)}`;
    case 'choices':
      return `must be a list of ${valuesText(row)}, or one comma-separated string`;
    case 'names':
    case 'origins':
      return 'must be a list of strings, or one comma-separated string';
    case 'seconds':
      return 'must be a number greater than 0';
    case 'count':
      return `must be a whole number (${row.min ?? 0} or more)`;
    case 'switch':
      return 'must be true or false';
  }
}

/** A row's values as a message shows them: a long table (the fault names) by where it is listed. */
function valuesText(row: SettingRow): string {
  const values = row.values ?? [];
  return row.valuesListedBy
    ? `the ${values.length} names \`${row.valuesListedBy}\` lists`
    : values.join(', ');
}

function choice(value: unknown, label: string, row: SettingRow): string {
  const allowed = row.values ?? [];
  if (typeof value === 'string' && allowed.includes(value)) return value;
  throw new ConfigError(
    `${label} must be one of ${valuesText(row)} (got ${shown(value)})${typeof value === 'string' ? didYouMean(value, allowed) : ''}`,
  );
}

function toNumber(value: unknown, label: string): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n)) throw new ConfigError(`${label} must be a number (got ${shown(value)})`);
  return n;
}

function seconds(value: unknown, label: string): number {
  const n = toNumber(value, label);
  if (n <= 0) throw new ConfigError(`${label} must be greater than 0 (got ${shown(value)})`);
  return n;
}

function count(value: unknown, label: string, min: number): number {
  const n = toNumber(value, label);
  if (!Number.isSafeInteger(n) || n < min)
    throw new ConfigError(`${label} must be a whole number (${min} or more) (got ${shown(value)})`);
  return n;
}

/** A switch: true/false in a file; true/1/yes or false/0/no as text (the environment's form). */
function onOff(value: unknown, label: string): boolean {
  if (typeof value === 'boolean') return value;
  const lower = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (lower === 'true' || lower === '1' || lower === 'yes') return true;
  if (lower === 'false' || lower === '0' || lower === 'no') return false;
  throw new ConfigError(`${label} must be true or false (got ${shown(value)})`);
}

/** A list: an array of strings, or one string separated by commas (and spaces, where `spaces`). */
function list(value: unknown, label: string, spaces = false): string[] {
  if (!Array.isArray(value) && typeof value !== 'string')
    throw new ConfigError(`${label} must be a list or a comma-separated string (got ${shown(value)})`);
  const items: unknown[] = Array.isArray(value) ? value : value.split(spaces ? /[\s,]+/ : ',');
  return items
    .map((v) => {
      if (typeof v !== 'string') throw new ConfigError(`${label} values must be strings (got ${shown(v)})`);
      return v.trim();
    })
    .filter(Boolean);
}

function never(label: string, url: URL): ConfigError {
  return new ConfigError(
    `${label} ${url.origin} is a link-local or cloud metadata address, which the harness never requests`,
  );
}

/** The target: an http(s) server root; a trailing /api/vN would double up with the paths the run builds. */
function targetUrl(value: string, label: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${label} "${value}" is not a URL (expected e.g. https://sandbox.bcda.cms.gov)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`${label} must be an http(s) URL, got ${url.protocol}`);
  if (isBlockedAddress(url.hostname)) throw never(label, url);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Bare http(s) origins: a path would suggest a narrower grant than the origin rule gives. */
function origins(value: unknown, label: string): string[] {
  const result: string[] = [];
  for (const item of list(value, label, true)) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new ConfigError(
        `${label} "${item}" is not a URL (expected an origin, e.g. https://files.example.com)`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ConfigError(`${label} must be an http(s) origin, got ${url.protocol}`);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash)
      throw new ConfigError(
        `${label} takes an origin only (scheme://host[:port]), got "${item}"; use ${url.origin}`,
      );
    if (isBlockedAddress(url.hostname)) throw never(label, url);
    if (!result.includes(url.origin)) result.push(url.origin);
  }
  return result;
}
