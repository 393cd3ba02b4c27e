// The leaf certificate's expiry of each origin the probe reaches over TLS, read when a connection is
// made (a kept-alive connection keeps its certificate): what `tls.expires_at` reports.
import type { TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';

export class TlsExpiries {
  private readonly byOrigin = new Map<string, number>();

  /** `host:port` as the connector and the probe's URL both name it. */
  static key(hostname: string, port: string | number): string {
    return `${hostname.replace(/^\[|\]$/g, '')}:${port}`;
  }

  /** Wraps a connector so that every TLS connection it makes records its peer's certificate expiry. */
  watch(connector: buildConnector.connector): buildConnector.connector {
    return (options, callback) => {
      connector(options, (...args) => {
        const [error, socket] = args;
        if (error === null && 'getPeerCertificate' in socket) {
          const expiresAt = Date.parse((socket as TLSSocket).getPeerCertificate().valid_to ?? '');
          const port = options.port === '' ? '443' : options.port;
          if (Number.isFinite(expiresAt)) this.byOrigin.set(TlsExpiries.key(options.hostname, port), expiresAt);
        }
        callback(...args);
      });
    };
  }

  /** The expiry (epoch ms) of the certificate `url`'s origin last presented; `null` for plain HTTP. */
  forUrl(url: URL): number | null {
    if (url.protocol !== 'https:') return null;
    return this.byOrigin.get(TlsExpiries.key(url.hostname, url.port === '' ? '443' : url.port)) ?? null;
  }
}
