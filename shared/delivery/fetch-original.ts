import type { DeliveryConfig, EndpointView } from '../config/snapshot';
import { IkError } from '../http/errors';
import { originFor } from '../origins';
import type { OriginObject } from '../origins/types';
import { settings } from '../settings';

/** Tries the endpoint's origins in order; the first that has the asset wins, a failure other than not-found is reported. */
export async function fetchOriginal(config: DeliveryConfig, endpoint: EndpointView, assetPath: string): Promise<OriginObject> {
  const maxBytes = settings().MAX_INPUT_BYTES;
  const originConfigs = endpoint.origins.map((id) => config.origins.get(id)).filter((o) => o !== undefined);
  if (originConfigs.length === 0) {
    throw new IkError(404, 'ENOENT', `URL endpoint "${endpoint.id}" has no origins configured`);
  }
  for (const originConfig of originConfigs) {
    const found = await originFor(originConfig).fetch(assetPath, { maxBytes });
    if (found) return found;
  }
  throw new IkError(404, 'ENOENT', `No file was found at "${assetPath}" in the origins of URL endpoint "${endpoint.id}"`);
}

