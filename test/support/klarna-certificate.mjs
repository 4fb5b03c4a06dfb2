/**
 * A throwaway self-signed certificate for js.klarna.com, valid for a day, made with Debian's openssl:
 * for the stand-ins of Klarna's CDN on 127.0.0.1 that the end-to-end tests and the benchmark use (the
 * browser is told to accept it). `who` names the caller in the error when openssl is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function klarnaCertificate(who) {
  const directory = mkdtempSync(join(tmpdir(), 'pwk-cert-'));
  const key = join(directory, 'key.pem');
  const cert = join(directory, 'cert.pem');
  const subject = ['-subj', '/CN=js.klarna.com', '-addext', 'subjectAltName=DNS:js.klarna.com'];
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', ...curve, '-nodes', '-days', '1', ...subject, '-keyout', key, '-out', cert],
      {
        stdio: 'ignore',
      },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } catch (error) {
    throw new Error(`${who} needs openssl to make a certificate for its stand-in of js.klarna.com: ${error.message}`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
