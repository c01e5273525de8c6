// The Front Door profile on its own, so the function app can be locked to its frontDoorId
// before the origin (which needs the app's hostname) is created.

param tags object
param profileName string

@minValue(16)
@maxValue(240)
param originResponseTimeoutSeconds int

resource profile 'Microsoft.Cdn/profiles@2024-02-01' = {
  name: profileName
  location: 'global'
  tags: tags
  sku: {
    name: 'Standard_AzureFrontDoor'
  }
  properties: {
    originResponseTimeoutSeconds: originResponseTimeoutSeconds
  }
}

output profileName string = profile.name
output frontDoorId string = profile.properties.frontDoorId
