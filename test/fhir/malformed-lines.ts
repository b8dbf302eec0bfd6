/**
 * Malformed NDJSON lines that hold what looks like PHI (a fake SSN and name), in every shape V8
 * words differently, and a check that a text holds none of their data.
 */
export const SSN = '987-65-4321';
export const NAME = 'Zyxwq Vqjkpmb';

/** Every shape of bad line V8 words differently; each carries SSN and NAME. */
export const MALFORMED: readonly string[] = [
  `SSN ${SSN} ${NAME}`,
  `${NAME} ${SSN}`,
  `'${SSN}'`,
  `{"resourceType":"Patient","name":"${NAME}","ssn":"${SSN}"`,
  `{"resourceType":"Patient","name":"${NAME}","ssn":"${SSN}`,
  `{"resourceType":"Patient","ssn":${SSN},"name":"${NAME}"}`,
  `{"resourceType":"Patient","name":"${NAME}\u0001${SSN}"}`,
  `{"resourceType":"Patient","name":"${NAME}"}${SSN}`,
  `{"name":"${NAME}","x":"\\q${SSN}"}`,
  `{"name":"${NAME}","x":"\\u12G4${SSN}"}`,
  `{"ssn":0${SSN}}`,
  `{"ssn":-${NAME}}`,
  `{"ssn":1.${SSN}}`,
  `{"ssn":1e${NAME}}`,
  `[${SSN}]`,
  `{${NAME}:"${SSN}"}`,
  `{"${NAME}" "${SSN}"}`,
  `{"a":1 ${NAME} ${SSN}}`,
  `{"a":[1,2 ${SSN}]}`,
  `tru${NAME}`,
  `\u00e9${NAME} ${SSN}`,
  `{"resourceType":"Patient","text":"${'x'.repeat(100_000)} ${NAME} ${SSN}", ${NAME}`,
  `${'y'.repeat(50_000)}${NAME}${SSN}`,
];

const slices = (d: string, n: number): string[] =>
  [...d].map((_, i) => d.slice(i, i + n)).filter((p) => p.length === n);

/**
 * Pieces of the data: every 4 characters that could not occur in a number, a timestamp or a
 * random UUID (a report holds those: `5-43` turns up in about one UUID in 256), and every 7
 * characters of the SSN, which no such value holds by chance.
 */
const PIECES = [
  ...new Set([
    ...[NAME, `SSN ${SSN}`].flatMap((d) => slices(d, 4)).filter((p) => !/^[\dA-Fa-f:.-]+$/.test(p)),
    ...slices(SSN, 7),
  ]),
];

/** No piece of the data, no quoted input (V8 quotes `'x'` and `"…"`), only fixed punctuation in quotes. */
export function expectNoLineData(text: string): void {
  for (const piece of PIECES) expect({ piece, found: text.includes(piece) }).toEqual({ piece, found: false });
}
