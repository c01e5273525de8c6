import { badParam } from '../http/errors';

/**
 * The lexical layer of ImageKit's transformation grammar: `:` between steps and `,` between parameters,
 * except inside a layer (`l-image,…,l-end`) or a conditional (`if-…,if-end`) block, whose own `:` chains and
 * `,` lists belong to the block. Blocks nest.
 */

const opensBlock = (token: string) => /^l-(image|text|video|subtitles)$/.test(token) || (token.startsWith('if-') && token !== 'if-else' && token !== 'if-end');
const closesBlock = (token: string) => token === 'l-end' || token === 'if-end';

/** Splits on `separator` where it is not inside a block; each block stays whole in the piece that holds it. */
function splitOutsideBlocks(text: string, separator: ':' | ','): string[] {
  const pieces: string[] = [];
  let current = '';
  let depth = 0;
  for (const part of text.split(/([:,])/)) {
    if (part === separator && depth === 0) {
      pieces.push(current);
      current = '';
      continue;
    }
    if (opensBlock(part)) depth++;
    else if (closesBlock(part)) {
      if (depth === 0) throw badParam(`"${part}" has no block to close`);
      depth--;
    }
    current += part;
  }
  if (depth > 0) throw badParam('A layer or conditional block is not closed (missing l-end or if-end)');
  pieces.push(current);
  return pieces;
}

/** The steps of a transformation, in order. */
export const splitSteps = (text: string): string[] => splitOutsideBlocks(text, ':');

/** The parameters of one step, empty ones dropped; a block is one item (`l-image,i-a.png,w-10:rt-90,l-end`). */
export const splitParams = (step: string): string[] => splitOutsideBlocks(step, ',').filter((p) => p !== '');

/** `@@` stands for `/` in path values (`di-@@images@@x.png`, layer `i-`, `ff-`). */
export const atPath = (value: string): string => value.split('@@').join('/');

/** A path value as the origins are asked for it: `@@` as `/`, relative to the origin's root. */
export const originPath = (value: string): string => atPath(value).replace(/^\/+/, '');
