import { DefaultAzureCredential } from '@azure/identity';

let credential: DefaultAzureCredential | undefined;

/** The app's managed identity (App Service's identity endpoint in Azure, a developer's login elsewhere), one per instance so its tokens are shared. */
export function appIdentity(): DefaultAzureCredential {
  credential ??= new DefaultAzureCredential();
  return credential;
}
