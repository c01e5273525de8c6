import { effectParams } from './params-effects';
import { layerParamByKey } from './params-layers';
import { outputParams } from './params-output';
import { resizeParams } from './params-resize';
import type { ParamSpec } from './spec';

/** The parameters this server implements, in canonical order: by key. */
export const stepParams: ParamSpec[] = [...resizeParams, ...outputParams, ...effectParams].sort((a, b) => (a.key < b.key ? -1 : 1));
export const stepParamByKey = new Map(stepParams.map((s) => [s.key, s]));

/** ImageKit parameters that need a generative or detection model: refused with that reason. */
export const needsModel = ['e-upscale', 'e-retouch', 'e-genvar', 'e-dropshadow', 'e-changebg', 'e-edit', 'e-bgremove', 'e-removedotbg'];

/**
 * ImageKit parameters this server does not implement: a URL using one gets a 400 that says so,
 * rather than an image that silently ignores it.
 */
export const unimplemented = [
  'pg', 'dn', 'idn', 'e-distort',
  'l-video', 'l-subtitles', 'fol', 'fsh',
  'vc', 'ac', 'so', 'eo', 'du', 'sr',
];

/** Known keys, longest first, so `e-sharpen-10` matches `e-sharpen` and `dpr-2` matches `dpr`, not `di`. */
const knownKeys = [...stepParamByKey.keys(), ...layerParamByKey.keys(), ...needsModel, ...unimplemented, 'n', 'if', 'if-else', 'if-end', 'l-image', 'l-text', 'l-end'].sort((a, b) => b.length - a.length);

export function splitKey(token: string): { key: string; value: string } | undefined {
  for (const key of knownKeys) {
    if (token === key) return { key, value: '' };
    if (token.startsWith(`${key}-`)) return { key, value: token.slice(key.length + 1) };
  }
  return undefined;
}
