import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../dev/azurite';

/** A container SAS (with its `?`) for Azurite's account with `permissions`, valid from `startsOn` until `expiresOn`. */
export function containerSas(container: string, permissions: string, expiresOn: Date, startsOn?: Date): string {
  const sas = generateBlobSASQueryParameters(
    { containerName: container, permissions: ContainerSASPermissions.parse(permissions), expiresOn, startsOn },
    new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
  );
  return `?${sas.toString()}`;
}

/** A read SAS that expired an hour ago. */
export const expiredSas = (container: string) => containerSas(container, 'r', new Date(Date.now() - 3600_000), new Date(Date.now() - 7200_000));
