// Tells a wrong method (405, with Allow) from an unknown path (404), which Hono alone does not.

interface RouteLike {
  readonly method: string;
  readonly path: string;
}

function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/** Returns the methods a path answers to (empty for an unknown path, and for a known one with a trailing slash). */
export function allowedMethods(routes: readonly RouteLike[]): (path: string) => string[] {
  const table = routes
    .filter((route) => route.method !== 'ALL')
    .map((route) => ({ method: route.method, pattern: patternOf(route.path) }));
  return (path) => {
    const methods = new Set(table.filter((route) => route.pattern.test(path)).map((route) => route.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
