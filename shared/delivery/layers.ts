import type { RenditionDependencies } from '../cache/dependencies';
import { assetPrefix } from '../cache/key';
import { purgedSince } from '../cache/purge-generation';
import { deliveryPath } from '../manage/purge-target';
import type { PurgeLog } from '../cache/purge-log';
import type { RenditionCache, StoredRendition } from '../cache/renditions';
import { FONT_FILE } from '../transform/fonts';
import type { Step } from '../transform/grammar/model';
import { CANVAS } from '../transform/grammar/values';
import { firstLine } from '../http/errors';
import type { DeliveryRequest } from './request';

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

/** Where renditions are stored, with what a purge needs to find them. */
export interface RenditionStore {
  renditions: RenditionCache;
  dependencies: RenditionDependencies;
  purgeLog: PurgeLog;
}

/**
 * Stores a rendition. One drawn with layer files first records which files it used, so a purge of any of them finds
 * it; a record that failed leaves it unstored. Once stored, purges other instances logged meanwhile are read: a
 * rendition made from an original (or layer) purged since its work started is deleted again.
 */
export async function storeRendition({ renditions, dependencies, purgeLog }: RenditionStore, request: DeliveryRequest, name: string, rendition: StoredRendition, log: (message: string) => void, since: number): Promise<void> {
  const used = [...new Set(layerFiles(request.steps))].map((path) => assetPrefix(request.endpoint.id, path));
  if (used.length > 0) {
    try {
      await dependencies.record(used, { name, edgePath: deliveryPath(request.endpoint.urlPrefix, request.assetPath) });
    } catch (error) {
      log(`rendition not stored: recording its layer files failed: ${firstLine(error)}`);
      return;
    }
  }
  const purged = () => [name, ...used].some((key) => purgedSince(key, since));
  if (purged()) return;
  const written = renditions.write(name, assetPrefix(request.endpoint.id, request.assetPath), rendition, log, since);
  // Apart from the write itself, which identical requests wait for: the check only undoes a write that was wrong.
  void written
    .then(() => purgeLog.syncNow(log))
    .then(() => (purged() ? renditions.purge(name) : undefined))
    .catch((error: unknown) => log(`removing a rendition purged while it was made failed: ${firstLine(error)}`));
  await written;
}

