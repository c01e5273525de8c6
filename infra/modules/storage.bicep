// Two accounts so each can have the strictest auth it allows:
// - host: the Functions host and the Flex deployment package, identity only (shared key off);
// - data: the rendition cache, the config table and the purge queues, which the app reaches with its identity
//   (STORAGE_ACCOUNT_NAME), so shared key is off there too.

param location string
param tags object
param hostStorageName string
param dataStorageName string
param deploymentContainerName string
param renditionContainerName string
param configTableName string
param purgeQueueName string

resource hostStorage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: hostStorageName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource hostBlobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: hostStorage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: hostBlobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource dataStorage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: dataStorageName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource dataBlobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: dataStorage
  name: 'default'
}

resource renditionContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: dataBlobService
  name: renditionContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource dataTableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = {
  parent: dataStorage
  name: 'default'
}

resource configTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = {
  parent: dataTableService
  name: configTableName
}

resource dataQueueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' = {
  parent: dataStorage
  name: 'default'
}

// Edge purges for the queue-triggered function, and where the Functions host moves those that failed every try.
resource purgeQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = [
  for queueName in [
    purgeQueueName
    '${purgeQueueName}-poison'
  ]: {
    parent: dataQueueService
    name: queueName
  }
]

output hostStorageName string = hostStorage.name
output hostBlobEndpoint string = hostStorage.properties.primaryEndpoints.blob
output deploymentContainerName string = deploymentContainer.name
output dataStorageName string = dataStorage.name
output renditionContainerName string = renditionContainer.name
output configTableName string = configTable.name
output purgeQueueName string = purgeQueues[0].name
