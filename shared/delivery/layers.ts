import { FONT_FILE } from '../transform/fonts';
import type { Step } from '../transform/grammar/model';
import { CANVAS } from '../transform/grammar/values';

/** The paths of every file the steps' layers may read, image layers and custom fonts: in conditional branches and nested layers too. */
export function layerFiles(steps: Step[]): string[] {
  return steps.flatMap((step) => [
    ...(step.if ? layerFiles([...step.if.then, ...(step.if.else ?? [])]) : []),
    ...(step.layers ?? []).flatMap((layer) => [
      ...(layer.type === 'image' && layer.input !== CANVAS ? [layer.input] : []),
      ...(layer.text.ff && FONT_FILE.test(layer.text.ff) ? [layer.text.ff] : []),
      ...layerFiles(layer.steps),
    ]),
  ]);
}

/**
 * Downloads the steps' image layers, each once, before the job is admitted (as the original is), so a slow origin
 * holds no transform slot; returns the loader the job reads them from. A failed download is reported only when its
 * layer is drawn: a branch that is not taken never asks for it.
 */
export async function downloadLayers(steps: Step[], download: (path: string) => Promise<Buffer>): Promise<(path: string) => Promise<Buffer>> {
  const bodies = new Map<string, Promise<Buffer>>();
  const load = (path: string) => {
    let body = bodies.get(path);
    if (!body) {
      body = download(path);
      body.catch(() => undefined);
      bodies.set(path, body);
    }
    return body;
  };
  await Promise.allSettled(layerFiles(steps).map(load));
  return load;
}
