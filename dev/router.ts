import type { HttpFunctionOptions } from '@azure/functions';

export interface MatchedRoute {
  name: string;
  options: HttpFunctionOptions;
  params: Record<string, string>;
}

type Segment = { literal: string } | { param: string; optional: boolean } | { rest: string };

interface CompiledRoute {
  name: string;
  template: string;
  options: HttpFunctionOptions;
  segments: Segment[];
  methods: string[];
}

function compile(template: string): Segment[] {
  return template
    .split('/')
    .filter((s) => s !== '')
    .map((s): Segment => {
      const m = /^\{(\*)?([A-Za-z0-9_]+)(\?)?\}$/.exec(s);
      if (!m) return { literal: s };
      return m[1] ? { rest: m[2] } : { param: m[2], optional: Boolean(m[3]) };
    });
}

/** .NET's OrdinalIgnoreCase, which the host uses for function names and literal route segments. */
const folded = (text: string) => text.toUpperCase();

/** One `%XX` at `at` as a byte, or -1; `%2F` is never decoded, so an escaped slash never splits a segment. */
function escapedByte(bytes: Buffer, at: number): number {
  if (bytes[at] !== 0x25 || at + 2 >= bytes.length) return -1;
  const text = bytes.toString('latin1', at + 1, at + 3);
  if (!/^[0-9A-Fa-f]{2}$/.test(text) || text.toUpperCase() === '2F') return -1;
  return parseInt(text, 16);
}

/** How many bytes the UTF-8 sequence led by `lead` has; 0 when `lead` cannot start one. */
const sequenceLength = (lead: number) => (lead < 0x80 ? 1 : lead >> 5 === 0b110 ? 2 : lead >> 4 === 0b1110 ? 3 : lead >> 3 === 0b11110 ? 4 : 0);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request path as Kestrel hands it to routing: each run of escapes that is valid UTF-8 decoded, except `%2F`;
 * an escape that is not part of valid UTF-8 stays as sent. Undefined where Kestrel refuses the request (400): a
 * decoded NUL, or raw bytes that are not UTF-8.
 */
export function kestrelPath(rawPath: string): string | undefined {
  const bytes = Buffer.from(rawPath, 'latin1');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const lead = escapedByte(bytes, i);
    const length = lead === -1 ? 0 : sequenceLength(lead);
    const sequence = [lead];
    while (length > 0 && sequence.length < length) {
      const next = escapedByte(bytes, i + 3 * sequence.length);
      if (next === -1 || next >> 6 !== 0b10) break;
      sequence.push(next);
    }
    let decoded = false;
    if (length > 0 && sequence.length === length) {
      try {
        utf8.decode(Uint8Array.from(sequence));
        decoded = true;
      } catch {
        // Overlong forms, surrogates and code points past U+10FFFF stay escaped, as Kestrel leaves them.
      }
    }
    if (decoded) {
      if (lead === 0) return undefined;
      out.push(...sequence);
      i += 3 * length;
    } else if (lead !== -1) {
      out.push(...bytes.subarray(i, i + 3));
      i += 3;
    } else {
      out.push(bytes[i]);
      i += 1;
    }
  }
  try {
    return utf8.decode(Uint8Array.from(out));
  } catch {
    return undefined;
  }
}

/** ASP.NET Core's path tokenizer: segments between slashes, empty ones kept, one trailing slash ignored. */
function tokenize(path: string): { text: string; offset: number }[] {
  if (path.length <= 1) return [];
  const segments: { text: string; offset: number }[] = [];
  let offset = 1;
  for (const text of path.slice(1, path.endsWith('/') ? -1 : undefined).split('/')) {
    segments.push({ text, offset });
    offset += text.length + 1;
  }
  return segments;
}

/**
 * ASP.NET Core's route pattern matcher for this app's templates: an empty segment matches nothing (so a path with
 * one before the catch-all matches no route at all), literals compare case-insensitively, a catch-all takes the
 * rest of the path as it is, and optional parameters may be left out at the end.
 */
function match(route: CompiledRoute, path: string): Record<string, string> | undefined {
  const parts = tokenize(path);
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i];
    const part = parts[i];
    if (part.text === '' || !segment) return undefined;
    if ('rest' in segment) {
      params[segment.rest] = path.slice(part.offset);
      return params;
    }
    if ('literal' in segment) {
      if (folded(segment.literal) !== folded(part.text)) return undefined;
    } else {
      params[segment.param] = part.text;
    }
  }
  return route.segments.slice(parts.length).every((s) => 'rest' in s || ('param' in s && s.optional)) ? params : undefined;
}

/** Whether some path matches both segment lists. */
function overlap(a: Segment[], b: Segment[]): boolean {
  const canEnd = (rest: Segment[]) => rest.every((s) => 'rest' in s || ('param' in s && s.optional));
  if (a.length === 0) return canEnd(b);
  if (b.length === 0) return canEnd(a);
  const [x, y] = [a[0], b[0]];
  if ('rest' in x || 'rest' in y) return true;
  if ('literal' in x && 'literal' in y && folded(x.literal) !== folded(y.literal)) return false;
  const ends = ('param' in x && x.optional && canEnd(b)) || ('param' in y && y.optional && canEnd(a));
  return ends || overlap(a.slice(1), b.slice(1));
}

/** ASP.NET Core's inbound route precedence, one digit per segment (lower is more specific): literal, parameter, catch-all. */
const precedence = (segments: Segment[]) => segments.map((s) => ('literal' in s ? 1 : 'param' in s ? 3 : 5));

function morePrecise(a: Segment[], b: Segment[]): boolean {
  const [pa, pb] = [precedence(a), precedence(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const [da, db] = [pa[i] ?? 0, pb[i] ?? 0];
    if (da !== db) return da < db;
  }
  return false;
}

/**
 * The Functions host's route table for the registered HTTP functions: routes are tried in function-name order
 * (case-insensitive), each with its methods as a condition, and the first that matches path and method runs; a
 * request no route takes is the host's 404. A name order in which a route would take requests from a more specific
 * one (a catch-all named before `healthz`) is refused here, so routing by name is also routing by precedence:
 * literal segments before parameters before the catch-all.
 */
export function createRouter(functions: Map<string, HttpFunctionOptions>) {
  const routes: CompiledRoute[] = [...functions]
    .map(([name, options]) => {
      const template = options.route ?? name;
      return { name, template, options, segments: compile(template), methods: (options.methods ?? ['GET', 'POST']).map((m) => m.toUpperCase()) };
    })
    .sort((a, b) => (folded(a.name) < folded(b.name) ? -1 : folded(a.name) > folded(b.name) ? 1 : 0));

  routes.forEach((first, i) => {
    for (const later of routes.slice(i + 1)) {
      if (later.methods.some((m) => first.methods.includes(m)) && overlap(first.segments, later.segments) && morePrecise(later.segments, first.segments)) {
        throw new Error(
          `Function "${first.name}" (route "${first.template}") would take requests meant for "${later.name}" (route "${later.template}"): ` +
            'the Functions host tries routes in function-name order, so the more specific route needs the name that sorts first',
        );
      }
    }
  });

  /** `path` is the request path as Kestrel decodes it (see `kestrelPath`). */
  return (method: string, path: string): MatchedRoute | undefined => {
    for (const route of routes) {
      if (!route.methods.includes(method.toUpperCase())) continue;
      const params = match(route, path);
      if (params) return { name: route.name, options: route.options, params };
    }
    return undefined;
  };
}
