// The pages' scripts and uPlot: plain files in the package (ui/ and node_modules/uplot), read once
// and served from memory with an ETag, so the pages need no build step of their own and no network.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ASSET_ROOT = '/ui/assets/';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The package root: the nearest folder above this module that holds ui/ (dist/ or a scratch build below it). */
function packageFile(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`${relative} is missing from the package`);
}

/** uPlot as npm installed it, wherever node resolution finds it. */
function uplotFile(name: string): string {
  const entry = createRequire(import.meta.url).resolve('uplot');
  return join(dirname(entry), name);
}

/** Every file served under ASSET_ROOT, by its name there. */
const SOURCES: Readonly<Record<string, { readonly path: () => string; readonly type: string }>> = {
  'status-client.js': { path: () => packageFile(join('ui', 'status-client.js')), type: JS },
  'uptime-bars.js': { path: () => packageFile(join('ui', 'uptime-bars.js')), type: JS },
  'service-client.js': { path: () => packageFile(join('ui', 'service-client.js')), type: JS },
  'uplot.esm.js': { path: () => uplotFile('uPlot.esm.js'), type: JS },
  'uplot.min.css': { path: () => uplotFile('uPlot.min.css'), type: CSS },
};

export interface Asset {
  readonly body: string;
  readonly etag: string;
  readonly type: string;
}

const cache = new Map<string, Asset>();

/** The asset named `name` under ASSET_ROOT, or `null` when there is none. */
export function clientAsset(name: string): Asset | null {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
  if (source === undefined) return null;
  let asset = cache.get(name);
  if (asset === undefined) {
    const body = readFileSync(source.path(), 'utf8');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    asset = { body, etag, type: source.type };
    cache.set(name, asset);
  }
  return asset;
}
