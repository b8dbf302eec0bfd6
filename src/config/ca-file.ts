/**
 * The certificates `--ca FILE` adds to the trusted CAs: a PEM bundle, checked when it is read so
 * that a wrong file is one line naming it, not a handshake failure on every request.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './setting-values';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM certificates of `file`; a ConfigError naming the file when it holds none or a broken one. */
export function readCaFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'cannot be read';
    throw new ConfigError(`--ca ${file}: ${why}`);
  }
  const pems = text.match(PEM_CERTIFICATE) ?? [];
  if (!pems.length)
    throw new ConfigError(`--ca ${file}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  pems.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch {
      throw new ConfigError(`--ca ${file}: certificate ${i + 1} of ${pems.length} cannot be parsed`);
    }
  });
  return pems.join('\n');
}
