import type { HttpFunctionOptions } from '@azure/functions';

export interface MatchedRoute {
  name: string;
  options: HttpFunctionOptions;
  params: Record<string, string>;
}

type Segment = { literal: string } | { param: string; optional: boolean } | { rest: string };

interface CompiledRoute {
  name: string;
  options: HttpFunctionOptions;
  segments: Segment[];
  literals: number;
}

function compile(template: string): Segment[] {
  return template
    .split('/')
    .filter((s) => s !== '')
    .map((s): Segment => {
      const m = /^\{(\*)?([A-Za-z0-9_]+)(\?)?\}$/.exec(s);
      if (!m) return { literal: s.toLowerCase() };
      return m[1] ? { rest: m[2] } : { param: m[2], optional: Boolean(m[3]) };
    });
}

/** Malformed percent-encoding stays as sent: the handler then refuses the value like any other it does not know. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function match(route: CompiledRoute, parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i];
    const part = parts[i];
    if ('rest' in segment) {
      params[segment.rest] = parts.slice(i).join('/');
      return params;
    }
    if (part === undefined) return 'param' in segment && segment.optional ? params : undefined;
    if ('literal' in segment) {
      if (segment.literal !== part.toLowerCase()) return undefined;
    } else {
      params[segment.param] = decoded(part);
    }
  }
  return parts.length === route.segments.length ? params : undefined;
}

/**
 * Routes requests the way the Functions host does for this app's templates (literal segments,
 * `{name}`, `{name?}`, `{*rest}`): routes with more literal segments win and catch-alls come last.
 */
export function createRouter(functions: Map<string, HttpFunctionOptions>) {
  const routes: CompiledRoute[] = [...functions].map(([name, options]) => {
    const segments = compile(options.route ?? name);
    return { name, options, segments, literals: segments.filter((s) => 'literal' in s).length };
  });
  routes.sort((a, b) => Number(a.segments.some((s) => 'rest' in s)) - Number(b.segments.some((s) => 'rest' in s)) || b.literals - a.literals);

  return (method: string, pathname: string): MatchedRoute | 'method-not-allowed' | undefined => {
    const parts = pathname.split('/').filter((p) => p !== '');
    let wrongMethod = false;
    for (const route of routes) {
      const params = match(route, parts);
      if (!params) continue;
      const methods = (route.options.methods ?? ['GET', 'POST']) as string[];
      if (!methods.includes(method)) {
        wrongMethod = true;
        continue;
      }
      return { name: route.name, options: route.options, params };
    }
    return wrongMethod ? 'method-not-allowed' : undefined;
  };
}
