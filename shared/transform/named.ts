import { badParam } from '../http/errors';
import { splitParams, splitSteps } from './tokens';

export interface NamedLookup {
  get(name: string): { transformation: string; enabled: boolean } | undefined;
}

/**
 * Replaces every `n-<name>` parameter by the stored transformation text, in place: a stored chain (`a:b`)
 * continues the chain where the name stood. One level only; a stored transformation cannot use `n-` (it would
 * fail to parse). Unknown and disabled names are 400, as in ImageKit.
 */
export function expandNamed(text: string, named: NamedLookup): string {
  return splitSteps(text)
    .map((step) =>
      splitParams(step)
        .map((param) => {
          if (!param.startsWith('n-')) return param;
          const name = param.slice(2);
          const found = named.get(name);
          if (!found) throw badParam(`Named transformation "${name}" does not exist`);
          if (!found.enabled) throw badParam(`Named transformation "${name}" is disabled`);
          return found.transformation;
        })
        .join(','),
    )
    .join(':');
}

/** Every parameter of every step is `n-<name>` (an empty text too): what endpoints restricted to named transformations accept. */
export function onlyNamed(text: string): boolean {
  return splitSteps(text).every((step) => splitParams(step).every((param) => /^n-./.test(param)));
}
