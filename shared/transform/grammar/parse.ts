import { badParam, unsupported } from '../../http/errors';
import { readCondition } from '../conditional';
import { splitParams, splitSteps } from '../tokens';
import type { Conditional, Layer, Step } from './model';
import { layerParamByKey } from './params-layers';
import { needsModel, splitKey, stepParamByKey } from './table';
import { CANVAS, DEFAULT_TRIM } from './values';

/** ImageKit nests layers at most this deep. */
const MAX_LAYER_DEPTH = 3;

/** Output parameters act on the final encode, which a conditional branch or a layer does not control. */
const OUTPUT_KEYS = { f: 'f', orig: 'orig', q: 'q', pr: 'pr', lo: 'lo', md: 'md', cp: 'cp', di: 'di', autoWidth: 'w-auto', autoDpr: 'dpr-auto' } as const;

function refuseOutput(steps: Step[], where: string, allowed: readonly string[] = []): void {
  for (const step of steps) {
    for (const [name, key] of Object.entries(OUTPUT_KEYS)) {
      if (step[name as keyof typeof OUTPUT_KEYS] !== undefined && !allowed.includes(key)) {
        throw unsupported(`Parameter "${key}" is not supported inside ${where}; give it in a step outside`);
      }
    }
  }
}

/** The text between a block's opening token and its closing `,<closer>`, or a 400 when the block closes with the wrong token. */
function blockBody(block: string, closer: 'if-end' | 'l-end'): string {
  if (!block.endsWith(`,${closer}`)) throw badParam(`The block "${block.split(',')[0]}" must be closed with ${closer}`);
  const open = block.indexOf(',');
  return block.slice(open + 1, block.length - closer.length - 1);
}

function parseConditional(block: string, depth: number): Conditional {
  const condition = readCondition(block.split(',')[0].slice('if-'.length));
  const body = splitParams(blockBody(block, 'if-end'));
  const split = body.indexOf('if-else');
  if (split !== body.lastIndexOf('if-else')) throw badParam('A conditional has more than one if-else');
  const branch = (params: string[]) => {
    const steps = parseSteps(params.join(','), depth);
    refuseOutput(steps, 'a conditional');
    return steps;
  };
  const then = branch(split < 0 ? body : body.slice(0, split));
  const otherwise = split < 0 ? [] : branch(body.slice(split + 1));
  return otherwise.length > 0 ? { condition, then, else: otherwise } : { condition, then };
}

/** `l-image,…,l-end` at nesting `depth` (1 for a layer on the image itself). */
function parseLayer(block: string, depth: number): Layer {
  if (depth > MAX_LAYER_DEPTH) throw badParam(`Layers nest at most ${MAX_LAYER_DEPTH} deep`);
  const layer: Layer = { type: block.startsWith('l-text,') ? 'text' : 'image', input: '', text: {}, trim: DEFAULT_TRIM, steps: [] };
  const seen = new Set<string>();
  let plainInput: string | undefined;
  for (const piece of splitSteps(blockBody(block, 'l-end'))) {
    const own: string[] = [];
    for (const token of splitParams(piece)) {
      const key = splitKey(token.split(',')[0]);
      const spec = key && layerParamByKey.get(key.key);
      if (!spec) {
        own.push(token);
        continue;
      }
      if (spec.only && spec.only !== layer.type) throw badParam(`Parameter "${key.key}" is only allowed in ${spec.only} layers`);
      if (seen.has(key.key)) throw badParam(`Parameter "${key.key}" appears twice in one layer`);
      seen.add(key.key);
      // With both, ImageKit ignores i: it is kept aside and read only when there is no ie.
      if (key.key === 'i') plainInput = key.value;
      else spec.read(layer, key.value);
    }
    layer.steps.push(parseStep(own.join(','), depth));
  }
  if (plainInput !== undefined && !seen.has('ie')) layerParamByKey.get('i')!.read(layer, plainInput);
  if (layer.input === '') throw badParam('A layer needs its input: i-<path> or ie-<base64>');
  if (layer.al !== undefined && layer.type === 'image' && layer.input !== CANVAS) throw badParam('Parameter "al" is only allowed in text and solid colour (i-ik_canvas) layers; image layers take o');
  if (layer.lx !== undefined && layer.lxc !== undefined) throw badParam('A layer takes lx or lxc, not both');
  if (layer.ly !== undefined && layer.lyc !== undefined) throw badParam('A layer takes ly or lyc, not both');
  const [first, ...rest] = layer.steps;
  // The first step's t, bg and a text layer's w belong to the layer: the trim of its image, the colour under a solid
  // block or text, the width text wraps at.
  if (layer.type === 'text') {
    layer.text.width = first.w;
    delete first.w;
  } else {
    if (first.t !== undefined) layer.trim = first.t;
    delete first.t;
  }
  if (layer.input === CANVAS || layer.type === 'text') {
    if (first.bg === 'dominant' || (first.bg !== undefined && 'blurred' in first.bg)) {
      throw badParam(`bg-${first.bg === 'dominant' ? 'dominant' : 'blurred'} needs an image under it; a text or solid colour layer takes a colour`);
    }
    if (first.bg === undefined && layer.type === 'image') throw badParam('A solid colour layer (i-ik_canvas) needs a colour: bg-<colour>');
    layer.fill = first.bg;
    delete first.bg;
  }
  layer.steps = [first, ...rest.filter((step) => Object.keys(step).length > 0)];
  refuseOutput(layer.steps, 'a layer', ['q']);
  return layer;
}

function parseStep(text: string, depth: number): Step {
  const step: Step = {};
  const seen = new Set<string>();
  const tokens = splitParams(text);
  for (const token of tokens) {
    const parts = splitKey(token.split(',')[0]);
    if (!parts) throw badParam(`Unknown transformation parameter "${token}"`);
    const spec = stepParamByKey.get(parts.key);
    if (parts.key === 'n') throw badParam(`Named transformation "${token}" cannot be used here (named transformations do not nest)`);
    if (parts.key === 'if-else' || parts.key === 'if-end') throw badParam(`"${parts.key}" is only allowed inside a conditional (if-…,if-end)`);
    if (parts.key === 'l-end' || layerParamByKey.has(parts.key)) throw badParam(`"${parts.key}" is only allowed inside a layer (l-image,…,l-end)`);
    if (parts.key === 'if') {
      if (tokens.length > 1) throw badParam('A step with a conditional (if-…,if-end) must contain nothing else; put other parameters in their own step');
      step.if = parseConditional(token, depth);
      continue;
    }
    if (parts.key === 'l-image' || parts.key === 'l-text') {
      step.layers = [...(step.layers ?? []), parseLayer(token, depth + 1)];
      continue;
    }
    if (needsModel.includes(parts.key)) throw unsupported(`Transformation parameter "${parts.key}" needs an AI model, which this server does not have`);
    if (!spec) throw unsupported(`Transformation parameter "${parts.key}" is not supported by this server`);
    if (seen.has(parts.key)) throw badParam(`Parameter "${parts.key}" appears twice in one step`);
    seen.add(parts.key);
    spec.read(step, parts.value);
  }
  if (step.z !== undefined && step.fo !== 'face') throw badParam('Parameter "z" zooms around the faces: it needs fo-face in the same step');
  return step;
}

function parseSteps(text: string, depth: number): Step[] {
  return splitSteps(text)
    .map((step) => parseStep(step, depth))
    .filter((step) => Object.keys(step).length > 0);
}

/** Parses a decoded transformation string (`w-300,h-200:q-50`) into steps. */
export function parseTransformation(text: string): Step[] {
  return parseSteps(text, 0);
}
