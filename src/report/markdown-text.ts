/** Report text inside markdown (a pull-request comment, a CI job summary), rendered as the text it is. */
import { terminalSafe } from './terminal-safe';

/**
 * A markdown table cell from report text: terminal-safe (see terminalSafe), no HTML, and every
 * character that could end the cell or start inline markup (links, images, emphasis, code)
 * backslash-escaped.
 */
export function markdownText(text: string): string {
  return terminalSafe(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()!~|#]/g, '\\$&');
}

/** Characters a code span may show as they are (backslash escapes do not work inside one). */
const PLAIN_CODE = /^[\w.\-[\]/]+$/;

/** A code span for plain ids and paths; anything else is shown as escaped text. */
export function markdownCode(text: string): string {
  return PLAIN_CODE.test(text) ? `\`${text}\`` : markdownText(text);
}
