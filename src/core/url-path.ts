/** The path and query of a URL, for messages that name the target once elsewhere; the text itself when it is no URL. */
export function pathOfUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}
