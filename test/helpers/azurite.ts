import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, generateAccountSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../dev/azurite';

/** Tests use a fresh in-memory Azurite on free loopback ports. */
export { freePort, startEphemeralAzurite as startTestAzurite } from '../../dev/azurite';

/** An account SAS (no leading `?`) for Azurite's account, valid for an hour: `services` b/t, `resourceTypes` s/c/o, `permissions` r/w/d/l/a/c/u. */
export function azuriteAccountSas(services: string, resourceTypes: string, permissions: string): string {
  return generateAccountSASQueryParameters(
    {
      services: AccountSASServices.parse(services).toString(),
      resourceTypes: AccountSASResourceTypes.parse(resourceTypes).toString(),
      permissions: AccountSASPermissions.parse(permissions),
      expiresOn: new Date(Date.now() + 3600_000),
    },
    new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
  ).toString();
}
