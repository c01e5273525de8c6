import { badParam, type IkError } from '../http/errors';

/** How many layers of percent-encoding are peeled off; deeper nesting is refused outright. */
const MAX_DECODES = 4;

/** Replaces each valid `%XX` escape, leaving a malformed or partial one as it is (`decodeURIComponent` would throw). */
function decodeEscapes(text: string): string {
  return text.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      // Invalid UTF-8 in the run: decode byte by byte so the ASCII in it (dots, slashes) still shows.
      return run.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
  });
}

/**
 * Why a path could leave the folder it is meant for, or undefined when it cannot. Percent-encoding is peeled off
 * layer by layer (`%2e%2e`, `%252e%252e`) and `\` counts as `/`, since a later reader (a storage SDK, a web
 * server, Windows) may decode or translate once more than this server did.
 */
export function pathProblem(path: string): string | undefined {
  let text = path;
  for (let layer = 0; ; layer++) {
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    if (/[\x00-\x1f\x7f]/.test(text)) return 'contains a control character';
    if (text.replace(/\\/g, '/').split('/').some((segment) => segment === '.' || segment === '..')) return 'contains a "." or ".." segment';
    const decoded = decodeEscapes(text);
    if (decoded === text) return undefined;
    if (layer === MAX_DECODES) return 'is percent-encoded too many times';
    text = decoded;
  }
}

/** 400 EBADPARAM naming the path and whose it is (`the asset`, `parameter "di"`), for a path that could climb out of its folder. */
export function unsafePath(path: string, whose: string, problem: string): IkError {
  return badParam(`Invalid path "${path}" for ${whose}: it ${problem}; a path may not climb out of its folder`);
}

/** Throws 400 EBADPARAM when `path` could climb out of its folder (see `pathProblem`). */
export function checkSafePath(path: string, whose: string): void {
  const problem = pathProblem(path);
  if (problem) throw unsafePath(path, whose, problem);
}
