// Flex Consumption plan and the function app (Linux, Node) with a system-assigned identity.
// App settings are written by app-settings.bicep once the identity has its roles, so the first
// Key Vault reference resolution does not fail for lack of access.

param location string
param tags object
param planName string
param functionAppName string
param hostBlobEndpoint string
param deploymentContainerName string

@description('The Front Door profile id that must arrive in X-Azure-FDID.')
param frontDoorId string

@allowed([
  '20'
  '22'
])
param nodeVersion string

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@minValue(1)
@maxValue(1000)
param perInstanceConcurrency int

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  // azd finds the app to deploy the `api` service into by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        triggers: {
          http: {
            perInstanceConcurrency: perInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Front Door's addresses are shared by every customer, so the service tag alone is not
      // enough: the header must also carry this profile's id (docs/azure-reference.md, "Only Front Door reaches the app").
      ipSecurityRestrictionsDefaultAction: 'Deny'
      ipSecurityRestrictions: [
        {
          name: 'Allow traffic from Front Door'
          action: 'Allow'
          priority: 100
          tag: 'ServiceTag'
          ipAddress: 'AzureFrontDoor.Backend'
          headers: {
            'x-azure-fdid': [
              frontDoorId
            ]
          }
        }
      ]
      // The SCM site keeps its own (empty) rules: `func ... publish` and azd upload through it.
      scmIpSecurityRestrictionsUseMain: false
    }
  }
}

// No FTP or SCM user names and passwords: azd and Core Tools deploy to Flex Consumption with Entra ID tokens.
resource publishingCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = [
  for policy in [
    'ftp'
    'scm'
  ]: {
    parent: functionApp
    name: policy
    properties: {
      allow: false
    }
  }
]

output functionAppName string = functionApp.name
output functionAppId string = functionApp.id
output principalId string = functionApp.identity.principalId
output defaultHostName string = functionApp.properties.defaultHostName
