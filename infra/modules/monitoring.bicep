// Log Analytics workspace and a workspace-based Application Insights component.

param location string
param tags object
param logAnalyticsName string
param appInsightsName string

@minValue(30)
@maxValue(730)
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // Entra-only ingestion: the app's identity gets Monitoring Metrics Publisher instead of using the key.
    DisableLocalAuth: true
  }
}

output appInsightsName string = appInsights.name
