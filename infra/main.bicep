// The whole stack for one image CDN "account" in one resource group:
// storage, monitoring, Key Vault, the Flex Consumption function app, and Front Door Standard.
// Deploy with `azd up`, or `az deployment group create -g <rg> -f infra/main.bicep -p ...`.

targetScope = 'resourceGroup'

@minLength(1)
@maxLength(64)
@description('Name of the environment; feeds the resource name suffix and the azd-env-name tag.')
param environmentName string

// Regions with Flex Consumption, as in Microsoft's Flex quickstart (Azure-Samples/functions-quickstart-typescript-azd);
// `az functionapp list-flexconsumption-locations` lists the current ones.
@description('Region for everything but Front Door (which is global). Must offer Flex Consumption.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string = resourceGroup().location

@secure()
@minLength(16)
@description('Signs delivery URLs and authenticates the management API. Stored in Key Vault.')
param privateApiKey string

@secure()
@description('The key before the last rotation; URLs it signed keep working while it is set. Empty for none.')
param previousPrivateApiKey string = ''

@allowed([
  '20'
  '22'
])
param nodeVersion string = '20'

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption instance size. sharp needs room: 2048 is the sensible floor for photos.')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@minValue(1)
@maxValue(1000)
@description('HTTP requests one instance takes at once. Transforms are CPU-bound, so keep this low and scale out.')
param perInstanceConcurrency int = 4

@allowed([
  'edgeHint'
  'noEdgeCache'
  'explicitOnly'
])
@description('How automatic WebP/AVIF selection works behind Front Door, which ignores Vary (see modules/front-door.bicep).')
param autoFormatStrategy string = 'edgeHint'

@description('Serve AVIF to clients that accept it when no format is named (AUTO_AVIF). AVIF encoding is slow.')
param autoAvif bool = false

@description('Serve the web console at /console (CONSOLE_ENABLED); it signs in with the private API key.')
param consoleEnabled bool = true

@minLength(3)
@maxLength(63)
param renditionContainerName string = 'renditions'

@minLength(3)
@maxLength(63)
param configTableName string = 'imagecdnconfig'

@minLength(3)
@maxLength(56)
@description('Queue of edge purges (PURGE_QUEUE); its poison queue adds "-poison".')
param purgeQueueName string = 'edge-purges'

@minValue(16)
@maxValue(240)
@description('How long Front Door waits for the app; a cold transform must finish within it.')
param originResponseTimeoutSeconds int = 60

@description('Front Door health probes of the app. Off: with one origin there is nothing to fail over to, and every edge site would probe.')
param healthProbe bool = false

@minValue(30)
@maxValue(255)
param healthProbeIntervalInSeconds int = 100

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('When this deployment started; azd\'s postprovision hook waits from here for new role assignments to take effect.')
param deployedAt string = utcNow()

@description('Origin storage accounts whose blob changes purge their renditions (docs/invalidation.md): [{ storageAccountId: \'<resource id>\', containers: [\'<container>\'] }]. Event Grid checks that the function exists, so add these once the code is deployed.')
param blobEventSources array = []

@description('Optional values for tunable app settings by name, e.g. { "DEFAULT_QUALITY": "75", "RESTRICT_UNSIGNED_URLS": "true" }.')
param settingOverrides object = {}

var token = uniqueString(subscription().id, resourceGroup().id, environmentName)
var tags = {
  'azd-env-name': environmentName
}
var names = {
  logAnalytics: 'log-${token}'
  appInsights: 'appi-${token}'
  hostStorage: 'sthost${token}'
  dataStorage: 'stdata${token}'
  keyVault: 'kv-${token}'
  plan: 'plan-${token}'
  functionApp: 'func-${token}'
  frontDoorProfile: 'afd-${token}'
  frontDoorEndpoint: 'img-${token}'
  deploymentContainer: 'app-package-${token}'
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    hostStorageName: names.hostStorage
    dataStorageName: names.dataStorage
    deploymentContainerName: names.deploymentContainer
    renditionContainerName: renditionContainerName
    configTableName: configTableName
    purgeQueueName: purgeQueueName
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  params: {
    location: location
    tags: tags
    keyVaultName: names.keyVault
    privateApiKey: privateApiKey
    previousPrivateApiKey: previousPrivateApiKey
  }
}

module frontDoorProfile 'modules/front-door-profile.bicep' = {
  name: 'front-door-profile'
  params: {
    tags: tags
    profileName: names.frontDoorProfile
    originResponseTimeoutSeconds: originResponseTimeoutSeconds
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    location: location
    tags: tags
    planName: names.plan
    functionAppName: names.functionApp
    hostBlobEndpoint: storage.outputs.hostBlobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    frontDoorId: frontDoorProfile.outputs.frontDoorId
    nodeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    perInstanceConcurrency: perInstanceConcurrency
  }
}

// The previous key's secret only exists while a previous key is kept.
var previousPrivateApiKeySecretName = empty(previousPrivateApiKey) ? '' : keyVault.outputs.previousPrivateApiKeySecretName
var secretNames = [
  keyVault.outputs.privateApiKeySecretName
  previousPrivateApiKeySecretName
]

module roleAssignments 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  params: {
    principalId: functionApp.outputs.principalId
    hostStorageName: storage.outputs.hostStorageName
    dataStorageName: storage.outputs.dataStorageName
    renditionContainerName: storage.outputs.renditionContainerName
    configTableName: storage.outputs.configTableName
    purgeQueueName: storage.outputs.purgeQueueName
    keyVaultName: keyVault.outputs.keyVaultName
    secretNames: filter(secretNames, secretName => !empty(secretName))
    appInsightsName: monitoring.outputs.appInsightsName
    frontDoorProfileName: frontDoorProfile.outputs.profileName
    frontDoorEndpointName: frontDoor.outputs.endpointName
  }
}

module frontDoor 'modules/front-door.bicep' = {
  name: 'front-door'
  params: {
    tags: tags
    profileName: frontDoorProfile.outputs.profileName
    endpointName: names.frontDoorEndpoint
    originHostName: functionApp.outputs.defaultHostName
    autoFormatStrategy: autoFormatStrategy
    autoAvif: autoAvif
    healthProbe: healthProbe
    probeIntervalInSeconds: healthProbeIntervalInSeconds
  }
}

// After the role assignments, so the Key Vault references resolve on the first start.
module appSettings 'modules/app-settings.bicep' = {
  name: 'app-settings'
  dependsOn: [
    roleAssignments
  ]
  params: {
    functionAppName: functionApp.outputs.functionAppName
    hostStorageName: storage.outputs.hostStorageName
    appInsightsName: monitoring.outputs.appInsightsName
    keyVaultName: keyVault.outputs.keyVaultName
    privateApiKeySecretName: keyVault.outputs.privateApiKeySecretName
    previousPrivateApiKeySecretName: previousPrivateApiKeySecretName
    dataStorageName: storage.outputs.dataStorageName
    renditionContainerName: storage.outputs.renditionContainerName
    configTableName: storage.outputs.configTableName
    purgeQueueName: storage.outputs.purgeQueueName
    autoAvif: autoAvif
    consoleEnabled: consoleEnabled
    frontDoorProfileName: frontDoorProfile.outputs.profileName
    frontDoorEndpointName: frontDoor.outputs.endpointName
    settingOverrides: settingOverrides
  }
}

// Each account's system topic and subscriptions go in that account's resource group (resource id: /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>).
module blobEvents 'modules/blob-events.bicep' = [
  for (source, i) in blobEventSources: {
    name: 'blob-events-${i}'
    scope: resourceGroup(split(source.storageAccountId, '/')[2], split(source.storageAccountId, '/')[4])
    params: {
      storageAccountName: last(split(source.storageAccountId, '/'))
      containers: source.containers
      functionResourceId: '${functionApp.outputs.functionAppId}/functions/blobEvents'
      tags: tags
    }
  }
]

output FRONT_DOOR_URL string = 'https://${frontDoor.outputs.hostName}'
output FUNCTION_APP_NAME string = functionApp.outputs.functionAppName
output AUTO_FORMAT_STRATEGY string = autoFormatStrategy
// No role assignment is older than this deployment; infra/hooks/wait-for-roles.js counts from it.
output ROLES_ASSIGNED_AT string = deployedAt
