/**
 * Describes why a text is not valid JSON by kind and position only. V8's JSON.parse messages
 * quote the input (`Unexpected token 'S', "SSN 123-45"... is not valid JSON`), and the input may
 * be a patient's record or a token, so no report may carry them. Instead of filtering V8's
 * wording (which changes between versions), the text is scanned again by a small JSON syntax
 * checker, run only after JSON.parse has failed.
 *
 * It lives on the ground floor (src/core) because the HTTP client, the NDJSON validator and
 * compare's report loading all need it, and it needs nothing.
 */

export type JsonErrorKind =
  | 'empty'
  | 'end'
  | 'unexpected-character'
  | 'expected-comma-or-brace'
  | 'expected-comma-or-bracket'
  | 'expected-property-name'
  | 'expected-colon'
  | 'unterminated-string'
  | 'control-character'
  | 'bad-escape'
  | 'bad-number'
  | 'trailing-data'
  | 'unknown';

export interface JsonSyntaxError {
  kind: JsonErrorKind;
  /**
   * 0-based offset in the text (UTF-16 code units, as JSON.parse counts), or -1 when unknown.
   * For an unterminated string it is where the string opens.
   */
  position: number;
}

const DESCRIPTIONS: Record<JsonErrorKind, string> = {
  empty: 'no JSON value (the text is empty or blank)',
  end: 'unexpected end of the text',
  'unexpected-character': 'unexpected character',
  'expected-comma-or-brace': "expected ',' or '}' after a property value",
  'expected-comma-or-bracket': "expected ',' or ']' after an array element",
  'expected-property-name': 'expected a double-quoted property name',
  'expected-colon': "expected ':' after a property name",
  'unterminated-string': 'unterminated string, opened',
  'control-character': 'unescaped control character in a string',
  'bad-escape': 'invalid escape sequence in a string',
  'bad-number': 'malformed number',
  'trailing-data': 'unexpected data after the JSON value',
  unknown: 'syntax error',
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
/** JSON whitespace: space, tab, LF, CR (nothing else, unlike String.prototype.trim). */
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
/** `"\/bfnrt`: the one-character escapes JSON allows. */
const SIMPLE_ESCAPES = new Set([QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
const LITERALS = ['true', 'false', 'null'];

/** Thrown inside the scanner to unwind to its entry point. */
class Stop {
  constructor(readonly error: JsonSyntaxError) {}
}

/**
 * The first syntax error of `text` as JSON.parse reads it (undefined when there is none).
 * Iterative, so deep nesting cannot overflow the stack; linear in the text's length.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const n = text.length;
  let i = 0;
  const stop = (kind: JsonErrorKind, position: number): never => {
    throw new Stop({ kind, position });
  };
  const skipSpace = (): void => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };
  const scanString = (): void => {
    const open = i++;
    for (;;) {
      if (i >= n) stop('unterminated-string', open);
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i++;
        return;
      }
      if (c < 0x20) stop('control-character', i);
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      if (i + 1 >= n) stop('unterminated-string', open);
      const e = text.charCodeAt(i + 1);
      if (SIMPLE_ESCAPES.has(e)) {
        i += 2;
      } else if (e === 0x75 /* u */) {
        for (let k = 2; k < 6; k++) {
          if (i + k >= n) stop('unterminated-string', open);
          if (!isHex(text.charCodeAt(i + k))) stop('bad-escape', i);
        }
        i += 6;
      } else {
        stop('bad-escape', i);
      }
    }
  };
  const digits = (): void => {
    if (i >= n) stop('end', n);
    if (!isDigit(text.charCodeAt(i))) stop('bad-number', i);
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  };
  const scanNumber = (): void => {
    if (text.charCodeAt(i) === MINUS) i++;
    if (i < n && text.charCodeAt(i) === ZERO) {
      i++;
      if (i < n && isDigit(text.charCodeAt(i))) stop('bad-number', i); // no leading zeros
    } else {
      digits();
    }
    if (i < n && text.charCodeAt(i) === DOT) {
      i++;
      digits();
    }
    if (i < n && (text.charCodeAt(i) | 0x20) === 0x65 /* e or E */) {
      i++;
      if (i < n && (text.charCodeAt(i) === PLUS || text.charCodeAt(i) === MINUS)) i++;
      digits();
    }
  };
  const scanLiteral = (): boolean => {
    for (const word of LITERALS) {
      if (text.charCodeAt(i) !== word.charCodeAt(0)) continue;
      for (let k = 1; k < word.length; k++) {
        if (i + k >= n) stop('end', n);
        if (text.charCodeAt(i + k) !== word.charCodeAt(k)) stop('unexpected-character', i + k);
      }
      i += word.length;
      return true;
    }
    return false;
  };
  /** A property name and its colon; leaves `i` at the value. */
  const scanKey = (): void => {
    skipSpace();
    if (i >= n) stop('end', n);
    if (text.charCodeAt(i) !== QUOTE) stop('expected-property-name', i);
    scanString();
    skipSpace();
    if (i >= n) stop('end', n);
    if (text.charCodeAt(i) !== COLON) stop('expected-colon', i);
    i++;
  };

  try {
    skipSpace();
    if (i >= n) return { kind: 'empty', position: n };
    /** Open containers, innermost last: true for an object. */
    const open: boolean[] = [];
    for (;;) {
      // A value starts here (after optional whitespace).
      skipSpace();
      if (i >= n) stop('end', n);
      const c = text.charCodeAt(i);
      let container = false;
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        i++;
        skipSpace();
        const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
        if (i < n && text.charCodeAt(i) === close) {
          i++; // empty container: a complete value
        } else {
          open.push(c === OPEN_BRACE);
          if (c === OPEN_BRACE) scanKey();
          container = true;
        }
      } else if (c === QUOTE) {
        scanString();
      } else if (c === MINUS || isDigit(c)) {
        scanNumber();
      } else if (!scanLiteral()) {
        stop('unexpected-character', i);
      }
      if (container) continue;
      // A value ended: close containers until one goes on with a comma.
      for (;;) {
        skipSpace();
        if (open.length === 0) {
          if (i < n) stop('trailing-data', i);
          return undefined;
        }
        const inObject = open[open.length - 1] as boolean;
        if (i >= n) stop('end', n);
        const d = text.charCodeAt(i);
        if (d === COMMA) {
          i++;
          if (inObject) scanKey();
          break;
        }
        if (d === (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) {
          open.pop();
          i++;
          continue;
        }
        stop(inObject ? 'expected-comma-or-brace' : 'expected-comma-or-bracket', i);
      }
    }
  } catch (e) {
    if (e instanceof Stop) return e.error;
    throw e;
  }
}

/** `not valid JSON: <what> at position N`, in fixed words only. */
export function formatJsonSyntaxError(error: JsonSyntaxError): string {
  const where = error.position >= 0 && error.kind !== 'empty' ? ` at position ${error.position}` : '';
  return `not valid JSON: ${DESCRIPTIONS[error.kind]}${where}`;
}

/**
 * Why `text` failed JSON.parse, without any of its content. Call it after JSON.parse threw; should
 * the scanner find nothing (it and V8 disagree), the answer is a generic syntax error.
 */
export function describeJsonSyntaxError(text: string): string {
  return formatJsonSyntaxError(findJsonSyntaxError(text) ?? { kind: 'unknown', position: -1 });
}
