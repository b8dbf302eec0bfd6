/**
 * The one escaping of untrusted text (from a target, or from files a target filled) on its way to
 * a terminal or a CI log: `run`'s console, `compare` and `validate` all print through it.
 */

/**
 * C0 controls but tab (line breaks would fake extra lines, ESC starts escape sequences), DEL, C1
 * (U+009B is a one-byte CSI), the Unicode line and paragraph separators, and the bidi controls
 * that reorder what a reader sees (U+061C, U+200E/F, U+202A-E, U+2066-9).
 */
// Matching control characters is the point of this expression.
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `text` as one inert line: the characters above become `\u001b`-style text, and GitHub Actions
 * workflow commands are defused. The runner reads `::name::` at the start of a line after any
 * white space, and the legacy `##[name]` anywhere in a line; a colon or bracket escaped the same
 * way keeps the text readable. Idempotent.
 */
export function terminalSafe(text: string): string {
  let out = text.replace(UNSAFE, escapeChar);
  if (out.includes('##[')) out = out.replaceAll('##[', '##\\u005b');
  if (/^\s*::/.test(out)) out = out.replace(/^(\s*):/, '$1\\u003a');
  return out;
}

/**
 * Text laid out in lines by the caller (a table, pretty-printed JSON): each line made safe, the
 * line breaks kept. Valid JSON stays valid JSON with the same values, since the escapes it adds
 * can only fall inside JSON strings.
 */
export function terminalSafeLines(text: string): string {
  return text.split('\n').map(terminalSafe).join('\n');
}
