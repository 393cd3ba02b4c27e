// A self-signed certificate for 127.0.0.1 made by openssl for one test, valid for as many days as
// asked, and an https target serving it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { json } from './target.js';

export interface Certificate {
  readonly key: string;
  readonly cert: string;
  /** Epoch ms of its notAfter. */
  readonly expiresAt: number;
}

export function makeCertificate(dir: string, days: number): Certificate {
  const keyPath = join(dir, `key-${days}.pem`);
  const certPath = join(dir, `cert-${days}.pem`);
  execFileSync('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', keyPath, '-out', certPath, '-days', String(days), '-subj', '/CN=127.0.0.1'],
    ...['-addext', 'subjectAltName=IP:127.0.0.1'],
  ]);
  const cert = readFileSync(certPath, 'utf8');
  return { key: readFileSync(keyPath, 'utf8'), cert, expiresAt: Date.parse(new X509Certificate(cert).validTo) };
}

/** An https server on 127.0.0.1 answering every request with a healthy body. */
export async function startHttpsTarget(certificate: Certificate): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer({ key: certificate.key, cert: certificate.cert }, (_request, response) =>
    json(response, { uptime_sec: 1, request_count: 10, error_count: 0 }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
