// Checks on a URL as written, before and besides what the URL parser makes of it, and the checks every
// URL the monitor connects to shares (a probe target of any scheme, a webhook receiver).

/**
 * The URL parser drops tabs and newlines anywhere and spaces and controls at either end, so a URL
 * containing them would be stored as one text and fetched as another; in a real URL they are
 * percent-encoded. `null` when there are none.
 */
export function urlTextProblem(text: string): string | null {
  return /[\u0000-\u0020\u007f]/.test(text) ? 'must not contain spaces or control characters' : null;
}

/**
 * The URL parser refuses a port above 65535 like any malformed URL; this says which part is wrong.
 * `null` unless `text` is `scheme://host:port…` with such a port.
 */
export function portOutOfRangeProblem(text: string): string | null {
  const port = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]*:(\d+)(?=[/?#\\]|$)/i.exec(text)?.[1];
  return port !== undefined && Number(port) > 65_535
    ? `port ${port} is out of range; use a port from 1 to 65535`
    : null;
}

/** Schemes (as `URL.protocol` spells them) in words, as a person lists them: `http or https`, `http, https or tcp`. */
export function schemeList(schemes: readonly string[]): string {
  const names = schemes.map((scheme) => scheme.replace(/:$/, ''));
  const last = names.pop();
  if (last === undefined) return 'nothing';
  return names.length === 0 ? last : `${names.join(', ')} or ${last}`;
}

/**
 * `text` as an absolute URL with one of `schemes` (`URL.protocol` spellings), a host and no
 * credentials, or what is wrong with it; `notAbsolute` is the answer for text that is no absolute URL
 * at all.
 */
export function parseTargetUrl(
  text: string,
  notAbsolute: string,
  schemes: readonly string[],
): { readonly url: URL } | { readonly problem: string } {
  // `localhost:9001` parses as scheme "localhost:"; a missing scheme deserves a plain answer.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { problem: notAbsolute };
  const textProblem = urlTextProblem(text);
  if (textProblem !== null) return { problem: textProblem };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: portOutOfRangeProblem(text) ?? notAbsolute };
  }
  if (!schemes.includes(url.protocol))
    return { problem: `must use ${schemeList(schemes)}, not ${url.protocol.replace(/:$/, '')}` };
  if (url.hostname === '') return { problem: 'must name a host' };
  if (url.username !== '' || url.password !== '') return { problem: 'must not contain credentials' };
  return { url };
}

const HTTP_SCHEMES: readonly string[] = ['http:', 'https:'];

/** `parseTargetUrl` for http(s) only: where webhooks go. */
export function parseHttpUrl(text: string, notAbsolute: string): { readonly url: URL } | { readonly problem: string } {
  return parseTargetUrl(text, notAbsolute, HTTP_SCHEMES);
}
