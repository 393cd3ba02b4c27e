// The seams of docs/architecture.md, read from the TypeScript sources: which module may import which.
// A rule broken here is a layer reaching into another; fix the import, or change the rule and the doc.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository: the first folder above this file with package.json and src/ (tests run from dist*). */
function repoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    if (dirname(dir) === dir) throw new Error('no repository root above this test');
  }
}

const ROOT = repoRoot();

/** The workers/ entry files: a Piscina or worker_threads entry each, nothing else. */
const ENTRY_FILES = ['workers/probe-task.ts', 'workers/storage-thread.ts'];
const MAX_ENTRY_LINES = 40;

interface Import {
  /** What the source wrote. */
  readonly specifier: string;
  /** A repository path (`src/probe/fifo.ts`), `node:x`, or a package name. */
  readonly target: string;
  readonly names: readonly string[];
  /** `import type`, `export type`: gone at run time. */
  readonly typeOnly: boolean;
  /** `import(...)`: loaded when called, not with the module. */
  readonly dynamic: boolean;
}

/** Repository paths (with `/`) of the .ts files under `dir`. */
function sourcesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (absolute: string): void => {
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      const path = join(absolute, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) found.push(relative(ROOT, path).split(sep).join('/'));
    }
  };
  if (existsSync(join(ROOT, dir))) walk(join(ROOT, dir));
  return found.sort();
}

function targetOf(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier.startsWith('node:') ? specifier : packageOf(specifier);
  const path = relative(ROOT, resolve(ROOT, dirname(file), specifier))
    .split(sep)
    .join('/');
  return path.replace(/\.js$/, '.ts');
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

const cache = new Map<string, Import[]>();

/** Every import and re-export of a file, static and dynamic, read by the TypeScript parser. */
function importsOf(file: string): Import[] {
  const known = cache.get(file);
  if (known) return known;
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: Import[] = [];
  const add = (specifier: string, names: string[], typeOnly: boolean, dynamic: boolean): void => {
    found.push({ specifier, target: targetOf(file, specifier), names, typeOnly, dynamic });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const names =
        bindings && ts.isNamedImports(bindings)
          ? bindings.elements.map((element) => (element.propertyName ?? element.name).text)
          : [];
      if (clause?.name) names.push('default');
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            names.length > 0 &&
            bindings !== undefined &&
            ts.isNamedImports(bindings) &&
            bindings.elements.every((element) => element.isTypeOnly)));
      add(node.moduleSpecifier.text, names, typeOnly, false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, [], node.isTypeOnly, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteral(argument)) add(argument.text, [], false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  cache.set(file, found);
  return found;
}

const isTest = (file: string): boolean => file.endsWith('.test.ts');
const under = (target: string, ...places: string[]): boolean =>
  places.some((place) => target === place || target.startsWith(`${place}/`));

/** `file: specifier` for each import of `files` that `allowed` refuses. */
function violations(files: readonly string[], allowed: (imported: Import, file: string) => boolean): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .filter((imported) => !allowed(imported, file))
      .map((imported) => `${file}: ${imported.specifier}`),
  );
}

test('nothing in src/ imports from workers/', () => {
  assert.deepEqual(
    violations(sourcesUnder('src'), ({ target }) => !under(target, 'workers')),
    [],
  );
});

test('workers/ holds only short entry files, each importing only src/probe or src/store', () => {
  const files = sourcesUnder('workers');
  assert.deepEqual(
    files.filter((file) => !ENTRY_FILES.includes(file)),
    [],
    `workers/ is for thread entry files only (${ENTRY_FILES.join(', ')}); the engine goes in src/`,
  );
  for (const file of files) {
    const lines = readFileSync(join(ROOT, file), 'utf8').trimEnd().split('\n').length;
    assert.ok(lines <= MAX_ENTRY_LINES, `${file} has ${lines} lines: an entry file only starts what src/ holds`);
  }
  assert.deepEqual(
    violations(files, ({ target }) => target.startsWith('node:') || under(target, 'src/probe', 'src/store')),
    [],
  );
});

/** Pure parts of node:net (address parsing and matching), no sockets. */
const PURE_NODE_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  'node:net': ['BlockList', 'isIP', 'isIPv4', 'isIPv6'],
  'node:crypto': ['createHash'],
};

test('src/domain imports nothing outside src/domain but pure node: functions', () => {
  const files = sourcesUnder('src/domain').filter((file) => !isTest(file));
  const allowed = ({ target, names }: Import): boolean => {
    if (under(target, 'src/domain')) return true;
    const pure = PURE_NODE_IMPORTS[target];
    return pure !== undefined && names.every((name) => pure.includes(name));
  };
  assert.deepEqual(violations(files, allowed), []);
});

test('src/probe imports only src/probe, src/domain, src/net and the thread priority, never the store, API, scheduler or notifiers', () => {
  const files = sourcesUnder('src/probe').filter((file) => !isTest(file));
  const allowed = ({ target }: Import): boolean =>
    !target.startsWith('src/') || under(target, 'src/probe', 'src/domain', 'src/net', 'src/background-priority.ts');
  assert.deepEqual(violations(files, allowed), []);
});

test('src/net, a lower layer shared by the probe and the webhooks, imports only src/domain', () => {
  const files = sourcesUnder('src/net').filter((file) => !isTest(file));
  assert.deepEqual(
    violations(files, ({ target }) => !target.startsWith('src/') || under(target, 'src/net', 'src/domain')),
    [],
  );
});

test('the API reads the probe table only, and the table loads no HTTP client on the API thread', () => {
  const apiFiles = sourcesUnder('src/api').filter((file) => !isTest(file));
  assert.deepEqual(
    violations(apiFiles, ({ target }) => !under(target, 'src/probe') || target === 'src/probe/probe-table.ts'),
    [],
  );
  // What importing the table loads with it: static imports that stay at run time, followed through the repository.
  const loaded = new Set<string>();
  const pending = ['src/probe/probe-table.ts'];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const { target, typeOnly, dynamic } of importsOf(file)) {
      if (typeOnly || dynamic) continue;
      if (target.endsWith('.ts')) pending.push(target);
      else loaded.add(target);
    }
  }
  assert.deepEqual(
    [...loaded].filter((module) => ['ky', 'undici', 'piscina'].includes(module)),
    [],
    [...loaded].join(', '),
  );
});
