/**
 * A body read as JSON the lenient way: one JSON text, or several objects or arrays back to back
 * (the real server appends a second OperationOutcome or Bundle to some answers, a documented
 * quirk). Undefined when the text is neither: it no longer parses.
 */
export function jsonValues(text: string): unknown[] | undefined {
  const whole = parse(text);
  if (whole.ok) return [whole.value];
  const values: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 0 && c !== '{' && c !== '[') {
      if (/\s/.test(c)) continue;
      return undefined;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth === 0) {
        const part = parse(text.slice(start, i + 1));
        if (!part.ok) return undefined;
        values.push(part.value);
      }
    }
  }
  return depth === 0 && values.length > 0 ? values : undefined;
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
