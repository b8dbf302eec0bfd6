/**
 * The one escaping function of the HTML report, and a tagged template that applies it to every
 * interpolated value. Markup the report builds itself is passed through only when wrapped in
 * `raw()`; anything else (target data above all) is escaped, so a `<script>` from a server
 * shows as text.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for element content and quoted attribute values. Control characters (NUL, ANSI
 * escapes…) that a target may send are shown as `\u001b`-style text: HTML has no use for them.
 */
export function esc(value: unknown): string {
  return String(value ?? '').replace(
    TO_ESCAPE,
    (c) => ENTITIES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

// Markup characters and the control characters other than tab and line breaks.
// eslint-disable-next-line no-control-regex
const TO_ESCAPE = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Markup that is already safe (built by `html` or from constants). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export const raw = (markup: string): SafeHtml => new SafeHtml(markup);

type Part = SafeHtml | string | number | boolean | undefined | null | readonly Part[];

function render(part: Part): string {
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  if (part === undefined || part === null || part === false) return '';
  return esc(part);
}

/** `html\`<td>${value}</td>\`` escapes `value`; arrays are joined; SafeHtml passes through. */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/**
 * JSON for a `<script type="application/json">` block: `<` (so `</script>` and `<!--` cannot
 * close or confuse the element) and the line separators JavaScript treats as newlines are escaped.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
