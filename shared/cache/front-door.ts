import { CdnManagementClient } from '@azure/arm-cdn';
import { appIdentity } from '../identity';
import { settings } from '../settings';

/** First path segment under which Front Door's rules engine puts the client's best format (infra/modules/front-door.bicep). */
export const EDGE_HINT_SEGMENT = '_ik-accept';

/** True when the Front Door settings are all present, so purges reach the edge too. */
export function frontDoorConfigured(): boolean {
  const s = settings();
  return Boolean(s.FRONT_DOOR_SUBSCRIPTION_ID && s.FRONT_DOOR_RESOURCE_GROUP && s.FRONT_DOOR_PROFILE && s.FRONT_DOOR_ENDPOINT);
}

let client: CdnManagementClient | undefined;

/**
 * Purges paths from the Front Door endpoint with the app's managed identity (CDN Profile Contributor on the
 * profile). Front Door purges are query-string agnostic, so one path removes every transformation of it.
 * Resolves when Front Door reports the purge finished, which takes minutes.
 */
export async function purgeFrontDoor(paths: string[]): Promise<void> {
  const s = settings();
  // The token's audience is the Resource Manager endpoint itself, as in every Azure cloud.
  const endpoint = s.RESOURCE_MANAGER_ENDPOINT.replace(/\/+$/, '');
  client ??= new CdnManagementClient(appIdentity(), s.FRONT_DOOR_SUBSCRIPTION_ID!, { endpoint, $host: endpoint });
  await client.afdEndpoints.beginPurgeContentAndWait(s.FRONT_DOOR_RESOURCE_GROUP!, s.FRONT_DOOR_PROFILE!, s.FRONT_DOOR_ENDPOINT!, {
    contentPaths: paths,
  });
}
