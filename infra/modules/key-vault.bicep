// Key Vault (RBAC mode) holding the secrets the app settings reference.
// Public network access stays on: Flex Consumption cannot resolve Key Vault references
// against a network-restricted vault (docs/azure-reference.md, "Key Vault references").

param location string
param tags object
param keyVaultName string

@secure()
param privateApiKey string

@secure()
param previousPrivateApiKey string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource privateApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'private-api-key'
  properties: {
    value: privateApiKey
  }
}

var previousPrivateApiKeySecretName = 'previous-private-api-key'

resource previousPrivateApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(previousPrivateApiKey)) {
  parent: vault
  name: previousPrivateApiKeySecretName
  properties: {
    value: previousPrivateApiKey
  }
}

output keyVaultName string = vault.name
output privateApiKeySecretName string = privateApiKeySecret.name
// Only created while a previous key is kept; main.bicep knows when that is.
output previousPrivateApiKeySecretName string = previousPrivateApiKeySecretName
