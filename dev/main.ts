import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startAzurite } from './azurite';

/** `npm start`: embedded Azurite (unless STORAGE_CONNECTION_STRING or STORAGE_ACCOUNT_NAME is set), a private key, the demo, the local host. */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  const dataDir = path.join(root, '.data');
  fs.mkdirSync(dataDir, { recursive: true });
  const env = process.env;
  let stopAzurite = async () => undefined as void;
  // Closing the host first hands messages it is working on back to their queue for the next start.
  let closeHost = async () => undefined as void;
  const stop = () => void closeHost().then(stopAzurite).finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  if (!env.STORAGE_CONNECTION_STRING && !env.STORAGE_ACCOUNT_NAME) {
    const azurite = await startAzurite({
      blobPort: Number(env.AZURITE_BLOB_PORT ?? 10000),
      queuePort: Number(env.AZURITE_QUEUE_PORT ?? 10001),
      tablePort: Number(env.AZURITE_TABLE_PORT ?? 10002),
      location: path.join(dataDir, 'azurite'),
    });
    env.STORAGE_CONNECTION_STRING = azurite.connectionString;
    stopAzurite = () => azurite.stop();
    console.log(`Azurite (blob ${azurite.blobEndpoint}) keeps its data in ${path.relative(root, dataDir)}/azurite`);
  }

  if (!env.PRIVATE_API_KEY) {
    const keyFile = path.join(dataDir, 'private-api-key');
    if (fs.existsSync(keyFile)) {
      env.PRIVATE_API_KEY = fs.readFileSync(keyFile, 'utf8').trim();
      console.log(`Private API key: read from ${path.relative(root, keyFile)}`);
    } else {
      env.PRIVATE_API_KEY = `private_${randomBytes(24).toString('base64url')}`;
      fs.writeFileSync(keyFile, env.PRIVATE_API_KEY, { mode: 0o600 });
      console.log(`Private API key (generated, shown once, kept in ${path.relative(root, keyFile)}): ${env.PRIVATE_API_KEY}`);
    }
  }

  // Loaded after the environment is complete: settings are read once, on first use.
  const { seedDemo } = await import('./seed');
  const { startLocalHost } = await import('./server');
  const { startUp } = await import('../shared/startup');
  // The demo origin's SAS token is signed with the account key, which only a connection string carries.
  const seeding = startUp().length > 0 ? Promise.reject(new Error('the settings are invalid')) : env.STORAGE_CONNECTION_STRING ? seedDemo(env.STORAGE_CONNECTION_STRING) : Promise.reject(new Error('it needs STORAGE_CONNECTION_STRING (an account key)'));
  const seeded = await seeding.catch((error: Error) => {
    console.log(`Demo not seeded: ${error.message}`);
    return false;
  });
  const host = await startLocalHost(Number(env.PORT ?? 7071), env.HOST ?? '127.0.0.1');
  closeHost = host.close;
  console.log(`\nImage CDN listening on ${host.url}${seeded ? ' (demo seeded)' : ''}`);
  console.log('This local host runs the same function handlers as the Azure Functions host (`func start`), routed as that host routes them.');
  console.log('Try:');
  for (const example of [
    '/sample/plant.jpg',
    '/tr:w-300,h-200/sample/plant.jpg',
    '/sample/plant.jpg?tr=w-300,h-200,c-at_max',
    '/tr:w-400,f-webp/sample/landscape.jpg',
    '/tr:w-200,h-100,c-force/sample/logo.png',
    '/tr:w-600:l-text,i-Hello,fs-40,co-white,bg-00000080,pa-10,lfo-bottom_left,l-end/sample/landscape.jpg',
  ]) {
    console.log(`  ${host.url}${example}`);
  }
  console.log(`  curl -u "$PRIVATE_API_KEY:" ${host.url}/v1/accounts/origins`);
  console.log(`Health: ${host.url}/healthz`);
  console.log(`Web console (sign in with the private API key): ${host.url}/console`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
