import { CdnManagementClient } from '@azure/arm-cdn';
import { appIdentity } from '../identity';

/** First path segment under which Front Door's rules engine puts the client's best format (infra/modules/front-door.bicep). */
export const EDGE_HINT_SEGMENT = '_ik-accept';

/** The Front Door endpoint purges reach (FRONT_DOOR_*), and the Resource Manager of its cloud (RESOURCE_MANAGER_ENDPOINT). */
export interface FrontDoorOptions {
  subscriptionId: string;
  resourceGroup: string;
  profile: string;
  endpoint: string;
  resourceManagerEndpoint: string;
}

/** Purges paths from the Front Door endpoint; resolves when Front Door reports the purge finished, which takes minutes. */
export type FrontDoorPurge = (paths: string[]) => Promise<void>;

/**
 * Purges with the app's managed identity (CDN Profile Contributor on the profile). Front Door purges are
 * query-string agnostic, so one path removes every transformation of it.
 */
export function createFrontDoorPurge(options: FrontDoorOptions): FrontDoorPurge {
  let client: CdnManagementClient | undefined;
  return async (paths) => {
    // The token's audience is the Resource Manager endpoint itself, as in every Azure cloud.
    const endpoint = options.resourceManagerEndpoint.replace(/\/+$/, '');
    client ??= new CdnManagementClient(appIdentity(), options.subscriptionId, { endpoint, $host: endpoint });
    await client.afdEndpoints.beginPurgeContentAndWait(options.resourceGroup, options.profile, options.endpoint, { contentPaths: paths });
  };
}
