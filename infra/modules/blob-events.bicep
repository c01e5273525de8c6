// Blob Storage events of one origin storage account, delivered to the app's Event Grid function (blobEvents), which
// purges the renditions of a changed or deleted original (docs/invalidation.md). Deployed into the account's own
// resource group: a system topic lives beside its source, and an account has at most one system topic.

@description('Name of the origin storage account, in the resource group this module is deployed to.')
param storageAccountName string

@description('Containers whose blobs the app serves through AZURE_BLOB origins: one subscription each, filtered by subject.')
param containers array

@description('Resource id of the Event Grid function: <function app id>/functions/blobEvents.')
param functionResourceId string

param tags object

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: take('evgt-${storageAccountName}', 128)
  location: account.location
  tags: tags
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// Only created and deleted blobs change what the app serves; other event types never reach it.
resource containerSubscriptions 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = [
  for container in containers: {
    parent: systemTopic
    name: take('image-cdn-${container}', 64)
    properties: {
      // The function's system key is taken at creation by the deploying principal; no role assignment is involved.
      destination: {
        endpointType: 'AzureFunction'
        properties: {
          resourceId: functionResourceId
          maxEventsPerBatch: 10
          preferredBatchSizeInKilobytes: 64
        }
      }
      filter: {
        includedEventTypes: [
          'Microsoft.Storage.BlobCreated'
          'Microsoft.Storage.BlobDeleted'
        ]
        subjectBeginsWith: '/blobServices/default/containers/${container}/'
      }
      eventDeliverySchema: 'EventGridSchema'
      // A purge that failed (storage briefly unreachable) is delivered again for a day.
      retryPolicy: {
        maxDeliveryAttempts: 30
        eventTimeToLiveInMinutes: 1440
      }
    }
  }
]

output systemTopicName string = systemTopic.name
