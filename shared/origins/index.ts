import { LRUCache } from 'lru-cache';
import type { OriginConfig } from '../config/schemas';
import { azureBlobOrigin } from './azure-blob';
import type { Origin } from './types';
import { webFolderOrigin } from './web-folder';
import { webProxyOrigin } from './web-proxy';

// Clients keep connection pools; reuse one per origin configuration instead of building one per request.
const clients = new LRUCache<string, Origin>({ max: 200 });

function create(config: OriginConfig): Origin {
  switch (config.type) {
    case 'AZURE_BLOB':
      return azureBlobOrigin(config);
    case 'WEB_FOLDER':
      return webFolderOrigin(config);
    case 'WEB_PROXY':
      return webProxyOrigin();
  }
}

/** The origin reader for a stored origin configuration. */
export function originFor(config: OriginConfig): Origin {
  const key = JSON.stringify(config);
  let origin = clients.get(key);
  if (!origin) {
    origin = create(config);
    clients.set(key, origin);
  }
  return origin;
}
