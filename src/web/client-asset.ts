// The page's script, a plain file in the package (ui/), read once at start and served from memory
// with an ETag, so the page needs no build step of its own and no network.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = join('ui', 'status-client.js');

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

export interface Asset {
  readonly body: string;
  readonly etag: string;
}

let cached: Asset | null = null;

export function statusClientScript(): Asset {
  if (cached === null) {
    const body = readFileSync(packageFile(FILE), 'utf8');
    cached = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
  }
  return cached;
}
