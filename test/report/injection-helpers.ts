/** Hostile text for terminal and CI-log injection tests, and the check that output is inert. */
/** Everything a hostile target might put into a string that reaches a log. */
export const INJECT =
  'x\n::error::pwned-lf\r::warning::pwned-cr\r\n  ::notice::pwned-indented\u00a0\n\u00a0::error::pwned-nbsp' +
  '\u001b[31mred\u001b]0;title\u0007\u009b31m\u0085next\u2028::error::pwned-ls\u2029' +
  '\u202egnp.exe\u2066\u200f\u0000\u007f |pipe| `tick` <b>html</b> [link](https://evil.example/)' +
  ' ![img](https://evil.example/i.png) *em* ##[error]legacy-pwned';

/** Raw characters that act on a terminal or split a log line (tab and LF of the layout aside). */
export const RAW_CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** No raw control character, no workflow command on any line (the runner trims leading space). */
export function expectInertLog(text: string): void {
  expect(text).not.toMatch(RAW_CONTROL);
  for (const line of text.split('\n')) expect(line).not.toMatch(/^\s*::/);
  expect(text).not.toContain('##[');
}
