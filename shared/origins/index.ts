import { LRUCache } from 'lru-cache';
import type { OriginConfig } from '../config/schemas';
import { azureBlobOrigin } from './azure-blob';
import type { Origin } from './types';

// Clients keep connection pools; reuse one per origin configuration instead of building one per request.
const clients = new LRUCache<string, Origin>({ max: 200 });

/** The origin reader for a stored origin configuration. */
export function originFor(config: OriginConfig): Origin {
  const key = JSON.stringify(config);
  let origin = clients.get(key);
  if (!origin) {
    switch (config.type) {
      case 'AZURE_BLOB':
        origin = azureBlobOrigin(config);
        break;
    }
    clients.set(key, origin);
  }
  return origin;
}
