import type { Step } from './grammar/model';

export interface ClientHints {
  /** `Sec-CH-Width` (or `Width`): the layout width in device pixels, DPR included. */
  width?: number;
  /** `Sec-CH-DPR` (or `DPR`). */
  dpr?: number;
}

export interface HintedSteps {
  steps: Step[];
  /** `Content-DPR`: the width served over the CSS width the client reported, when `w-auto` used a width hint. */
  contentDpr?: number;
  /** Request headers the result depends on, for `Vary`. */
  vary: string[];
}

function positive(value: string | null, max: number): number | undefined {
  const n = Number(value);
  return value !== null && value.trim() !== '' && n > 0 && n <= max ? n : undefined;
}

export function readClientHints(headers: { get(name: string): string | null }): ClientHints {
  return {
    width: positive(headers.get('sec-ch-width') ?? headers.get('width'), 65535),
    dpr: positive(headers.get('sec-ch-dpr') ?? headers.get('dpr'), 5),
  };
}

export const usesClientHints = (steps: Step[]) => steps.some((s) => s.autoWidth || s.autoDpr);

/**
 * Puts the client's hints into the steps, as ImageKit documents: `w-auto` takes `Sec-CH-Width` rounded up to
 * the next multiple of 100 (the hint already includes the DPR, so `dpr-auto` then adds nothing), `dpr-auto`
 * alone takes `Sec-CH-DPR`. Without a hint, `w-auto` sets no width and `dpr-auto` is 1.
 */
export function applyClientHints(steps: Step[], hints: ClientHints): HintedSteps {
  let contentDpr: number | undefined;
  const vary = new Set<string>();
  const hinted = steps.map((step) => {
    const { autoWidth, autoDpr, ...rest } = step;
    const out: Step = { ...rest };
    if (autoWidth) {
      vary.add('Sec-CH-Width').add('Sec-CH-DPR');
      if (hints.width !== undefined) {
        const width = Math.ceil(hints.width / 100) * 100;
        out.w = { px: width };
        contentDpr = Number((width / (hints.width / (hints.dpr ?? 1))).toFixed(2));
        if (autoDpr) delete out.dpr;
        return out;
      }
    }
    if (autoDpr) {
      vary.add('Sec-CH-DPR');
      if (hints.dpr !== undefined) out.dpr = hints.dpr;
      else delete out.dpr;
    }
    return out;
  });
  return { steps: hinted, contentDpr, vary: [...vary] };
}
