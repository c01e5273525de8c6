// Every app setting of the function app, written in one place.
// Each name the app reads (shared/settings.ts `settingNames`) is set here; an empty value means
// "unset, use the app's default" (shared/settings.ts drops empty values before parsing).

param functionAppName string
param hostStorageName string
param appInsightsName string
param keyVaultName string
param privateApiKeySecretName string

@description('Empty when no previous key is kept.')
param previousPrivateApiKeySecretName string

@description('The account of the rendition container and the config table, reached with the app\'s identity.')
param dataStorageName string
param renditionContainerName string
param configTableName string
param purgeQueueName string
param autoAvif bool
@description('Serve the web console at /console (CONSOLE_ENABLED).')
param consoleEnabled bool
param frontDoorProfileName string
param frontDoorEndpointName string

@description('Values for the tunable settings below, by setting name; anything not given stays at the app default.')
param settingOverrides object

// Settings with a safe default in the app, exposed only through settingOverrides.
var tunableSettingNames = [
  'RESTRICT_UNSIGNED_URLS'
  'RESTRICT_UNNAMED_TRANSFORMATIONS'
  'CONFIG_CACHE_SECONDS'
  'PURGE_SYNC_SECONDS'
  'BLOB_EVENT_CONCURRENCY'
  'STORAGE_TRY_TIMEOUT_MS'
  'STORAGE_DEADLINE_MS'
  'STORAGE_MAX_TRIES'
  'DEFAULT_QUALITY'
  'JPEG_CHROMA_SUBSAMPLING'
  'CACHE_MAX_AGE_SECONDS'
  'ERROR_MAX_AGE_SECONDS'
  'MAX_INPUT_BYTES'
  'MAX_INPUT_PIXELS'
  'MAX_ANIMATED_PIXELS'
  'MAX_OUTPUT_PIXELS'
  'MAX_OUTPUT_SIDE'
  'MAX_WEBP_OUTPUT_SIDE'
  'MAX_AVIF_OUTPUT_PIXELS'
  'MAX_WEBP_OUTPUT_PIXELS'
  'MAX_FRAMES'
  'MAX_STEPS'
  'MAX_LAYERS'
  'MAX_TEXT_LENGTH'
  'MAX_SVG_BYTES'
  'TRANSFORM_TIMEOUT_SECONDS'
  'MEMORY_BUDGET_MB'
  'DOWNLOAD_BUDGET_MB'
  'ORIGIN_CONNECT_TIMEOUT_MS'
  'ORIGIN_TIMEOUT_MS'
  'ALLOW_PRIVATE_ORIGIN_ADDRESSES'
  'MAX_CONCURRENT_TRANSFORMS'
  'MAX_QUEUED_TRANSFORMS'
  'QUEUE_TIMEOUT_MS'
  'MEMORY_CACHE_MB'
  'MAX_RENDITIONS_PER_ASSET'
  'ORIGINALS_CACHE_MB'
  'DECODED_CACHE_MB'
]

// The app parses booleans as 'true'/'false' and ARM's string(true) is 'True', hence toLower.
var tunableSettings = toObject(tunableSettingNames, settingName => settingName, settingName => contains(settingOverrides, settingName) ? toLower(string(settingOverrides[settingName])) : '')

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource hostStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: hostStorageName
}

resource dataStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: dataStorageName
}

var previousPrivateApiKeyReference = empty(previousPrivateApiKeySecretName) ? '' : '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${previousPrivateApiKeySecretName})'

var appSettings = {
  // Host storage through the managed identity (Storage Blob Data Owner on that account). The service URI,
  // not `__accountName`, which assumes the public cloud's storage suffix: this works in every cloud.
  AzureWebJobsStorage__blobServiceUri: hostStorage.properties.primaryEndpoints.blob
  // Front Door probes every origin often; the default home page would answer each of them.
  AzureWebJobsDisableHomepage: 'true'
  // libvips runs on many threads; glibc gives each its own malloc arena, which inflates resident memory under load.
  MALLOC_ARENA_MAX: '2'
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'

  PRIVATE_API_KEY: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${privateApiKeySecretName})'
  PREVIOUS_PRIVATE_API_KEY: previousPrivateApiKeyReference
  // The data account with the identity (data roles on the container and the table), no account key.
  STORAGE_CONNECTION_STRING: ''
  STORAGE_ACCOUNT_NAME: dataStorage.name
  STORAGE_BLOB_ENDPOINT: dataStorage.properties.primaryEndpoints.blob
  STORAGE_TABLE_ENDPOINT: dataStorage.properties.primaryEndpoints.table
  // Renditions live in the same account as the config table.
  RENDITION_STORAGE_CONNECTION_STRING: ''
  RENDITION_CONTAINER: renditionContainerName
  CONFIG_TABLE: configTableName
  // Edge purges: the app queues them with its identity, the host's queue trigger reads them through the
  // PURGE_QUEUE_CONNECTION connection (identity-based: the queue service URI alone).
  STORAGE_QUEUE_ENDPOINT: dataStorage.properties.primaryEndpoints.queue
  PURGE_QUEUE: purgeQueueName
  PURGE_QUEUE_CONNECTION__queueServiceUri: dataStorage.properties.primaryEndpoints.queue
  // Kept in step with the Front Door AVIF rule (front-door.bicep).
  AUTO_AVIF: autoAvif ? 'true' : 'false'
  CONSOLE_ENABLED: consoleEnabled ? 'true' : 'false'

  // Read by the purge feature to purge the edge as well as the rendition cache.
  FRONT_DOOR_SUBSCRIPTION_ID: subscription().subscriptionId
  FRONT_DOOR_RESOURCE_GROUP: resourceGroup().name
  FRONT_DOOR_PROFILE: frontDoorProfileName
  FRONT_DOOR_ENDPOINT: frontDoorEndpointName
  RESOURCE_MANAGER_ENDPOINT: environment().resourceManager
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(tunableSettings, appSettings)
}
