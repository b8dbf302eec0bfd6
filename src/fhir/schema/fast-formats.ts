/**
 * Hand-written acceptors for the FHIR date/time and id patterns, emitted into the fast
 * validator (fast-codegen.ts). A regexp test costs a call into the regexp engine per value and
 * these are among the commonest values; a few charCode comparisons decide them instead.
 *
 * Each acceptor matches exactly the strings its pattern matches (a test checks both ways on
 * generated strings); the generated code still falls back to the regexp when an acceptor says
 * no, so a bug here could only slow a rejection down, never turn it into a false rejection.
 *
 * They are plain JavaScript text, not TypeScript functions, because they are copied into the
 * generated module (which has no imports).
 */

/** JavaScript source defining the acceptor functions named in FORMAT_ACCEPTORS. */
export const FORMAT_SOURCE = String.raw`
function F_d2(v, i) {
  const a = v.charCodeAt(i) - 48;
  const b = v.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}
function F_ymd(v, n) {
  const c = F_d2(v, 0);
  const y = F_d2(v, 2);
  if (c < 0 || y < 0 || (c === 0 && y === 0)) return false;
  if (n === 4) return true;
  if (v.charCodeAt(4) !== 45) return false;
  const m = F_d2(v, 5);
  if (m < 1 || m > 12) return false;
  if (n === 7) return true;
  if (v.charCodeAt(7) !== 45) return false;
  const d = F_d2(v, 8);
  return d >= 1 && d <= 31;
}
function F_timeZone(v) {
  if (v.charCodeAt(10) !== 84) return false;
  const h = F_d2(v, 11);
  if (h < 0 || h > 23 || v.charCodeAt(13) !== 58) return false;
  const mi = F_d2(v, 14);
  if (mi < 0 || mi > 59 || v.charCodeAt(16) !== 58) return false;
  const s = F_d2(v, 17);
  if (s < 0 || s > 60) return false;
  const n = v.length;
  let j = 19;
  if (v.charCodeAt(j) === 46) {
    j++;
    const f = j;
    while (j < n) {
      const c = v.charCodeAt(j);
      if (c < 48 || c > 57) break;
      j++;
    }
    if (j === f) return false;
  }
  const z = v.charCodeAt(j);
  if (z === 90) return j + 1 === n;
  if ((z !== 43 && z !== 45) || j + 6 !== n || v.charCodeAt(j + 3) !== 58) return false;
  const th = F_d2(v, j + 1);
  const tm = F_d2(v, j + 4);
  if (th < 0 || tm < 0) return false;
  return th < 14 ? tm <= 59 : th === 14 && tm === 0;
}
function F_date(v) {
  const n = v.length;
  return (n === 4 || n === 7 || n === 10) && F_ymd(v, n);
}
function F_dateTime(v) {
  const n = v.length;
  if (n === 4 || n === 7 || n === 10) return F_ymd(v, n);
  return n > 19 && F_ymd(v, 10) && F_timeZone(v);
}
function F_instant(v) {
  return v.length > 19 && F_ymd(v, 10) && F_timeZone(v);
}
function F_id(v) {
  const n = v.length;
  if (n < 1 || n > 64) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46))
      return false;
  }
  return true;
}
`;

/** Pattern source (as in the R4 schema) → the acceptor in FORMAT_SOURCE that decides it. */
export const FORMAT_ACCEPTORS: Readonly<Record<string, string>> = {
  // date
  '^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$':
    'F_date',
  // dateTime
  '^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$':
    'F_dateTime',
  // instant
  '^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$':
    'F_instant',
  // id
  '^[A-Za-z0-9\\-\\.]{1,64}$': 'F_id',
};

/** Evaluates FORMAT_SOURCE and returns its acceptors by name (for tests). */
export function loadFormatAcceptors(): Record<string, (v: string) => boolean> {
  const names = [...new Set(Object.values(FORMAT_ACCEPTORS))];
  // Our own constant source, evaluated once; the function returns the named acceptors.
  const make = new Function(`${FORMAT_SOURCE}\nreturn { ${names.join(', ')} };`) as () => Record<
    string,
    (v: string) => boolean
  >;
  return make();
}
