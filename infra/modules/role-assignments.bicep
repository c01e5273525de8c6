// Every role the app's identity needs, each on the smallest scope that works.
// Role ids are Azure built-in roles (docs/azure-reference.md, "Role ids"; checked by test/infra/infra.test.ts), except the
// purge role, defined here because no built-in role grants a purge without also rewriting the profile.

param principalId string
param hostStorageName string
param dataStorageName string
param renditionContainerName string
param configTableName string
param purgeQueueName string
param keyVaultName string
param secretNames array
param appInsightsName string
param frontDoorProfileName string
param frontDoorEndpointName string

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

resource hostStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: hostStorageName
}

resource dataStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: dataStorageName
}

resource dataBlobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' existing = {
  parent: dataStorage
  name: 'default'
}

resource renditionContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = {
  parent: dataBlobService
  name: renditionContainerName
}

resource dataTableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' existing = {
  parent: dataStorage
  name: 'default'
}

resource configTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' existing = {
  parent: dataTableService
  name: configTableName
}

resource dataQueueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' existing = {
  parent: dataStorage
  name: 'default'
}

resource purgeQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' existing = [
  for queueName in [
    purgeQueueName
    '${purgeQueueName}-poison'
  ]: {
    parent: dataQueueService
    name: queueName
  }
]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource secrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = [
  for secretName in secretNames: {
    parent: vault
    name: secretName
  }
]

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource frontDoorProfile 'Microsoft.Cdn/profiles@2024-02-01' existing = {
  name: frontDoorProfileName
}

resource frontDoorEndpoint 'Microsoft.Cdn/profiles/afdEndpoints@2024-02-01' existing = {
  parent: frontDoorProfile
  name: frontDoorEndpointName
}

// The Functions host creates its own containers and the Flex package lives here: account scope.
resource hostBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, principalId, roles.storageBlobDataOwner)
  scope: hostStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource renditionBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(renditionContainer.id, principalId, roles.storageBlobDataContributor)
  scope: renditionContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource configTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(configTable.id, principalId, roles.storageTableDataContributor)
  scope: configTable
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// The app queues edge purges; the Functions host reads them, and moves failed ones to the poison queue.
resource purgeQueueContributors 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in [
    purgeQueueName
    '${purgeQueueName}-poison'
  ]: {
    name: guid(purgeQueues[i].id, principalId, roles.storageQueueDataContributor)
    scope: purgeQueues[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// One assignment per secret rather than on the whole vault.
resource secretReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (secretName, i) in secretNames: {
    name: guid(secrets[i].id, principalId, roles.keyVaultSecretsUser)
    scope: secrets[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Application Insights has local auth off, so telemetry is sent with the identity.
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// CDN Profile Contributor would let the app rewrite the whole profile (routes, origins, rules).
// This role only reads the endpoint and purges it, and can be assigned in this resource group only.
resource purgeRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, frontDoorEndpoint.id, 'front-door-purge')
  properties: {
    roleName: 'Front Door purge (${frontDoorProfileName}/${frontDoorEndpointName})'
    description: 'Purge the cache of one Front Door endpoint, nothing else.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Cdn/profiles/afdendpoints/read'
          'Microsoft.Cdn/profiles/afdendpoints/purge/action'
        ]
        notActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource frontDoorPurger 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(frontDoorEndpoint.id, principalId, purgeRole.id)
  scope: frontDoorEndpoint
  properties: {
    roleDefinitionId: purgeRole.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
