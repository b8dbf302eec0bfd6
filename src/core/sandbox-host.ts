/** BCDA's public sandbox: `sandbox.bcda.cms.gov` (and hosts under it), synthetic data only. */
const SANDBOX_HOST = /(^|\.)sandbox\.bcda\.cms\.gov$/i;

/** True when `url` is on BCDA's public sandbox host; false for anything else, unparsable URLs too. */
export function isPublicSandboxUrl(url: string): boolean {
  try {
    return SANDBOX_HOST.test(new URL(url).hostname);
  } catch {
    return false;
  }
}
