/**
 * Which IP addresses are never requested: link-local and cloud metadata addresses. The HTTP
 * client refuses them (by literal or after DNS) and config refuses a setting that names one, so
 * the one list lives here, below both.
 */
import net from 'node:net';

/** 169.254.0.0/16, fe80::/10 and AWS's IPv6 metadata address (IPv4-mapped forms match too). */
const NEVER = new net.BlockList();
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addAddress('fd00:ec2::254', 'ipv6');

/** True when `address` (an IP literal, optionally with a zone or in brackets) must never be requested. */
export function isBlockedAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, '').split('%')[0] ?? '';
  const family = net.isIP(plain);
  if (family === 0) return false;
  return NEVER.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}
