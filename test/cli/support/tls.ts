import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** A self-signed certificate for 127.0.0.1 and its key, as PEM text. */
export interface TestCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Makes a throwaway self-signed certificate for 127.0.0.1 with the `openssl` command (present on
 * every CI image; Node has no certificate generator). Valid two days: tests never reuse it.
 */
export function makeTestCertificate(dir: string, name: string): TestCertificate {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'pipe', timeout: 30_000 });
  } catch (e) {
    throw new Error(`the CLI tests need the openssl command to make a certificate for the stand-in API server: ${(e as Error).message}`);
  }
  return { certPem: fs.readFileSync(cert, 'utf8'), keyPem: fs.readFileSync(key, 'utf8') };
}
