// Front Door Standard in front of the function app: endpoint, origin group (probing /healthz
// only when asked), the origin, a cached image route, an uncached management route, and the
// rules that deal with client hints and automatic format selection.
//
// Front Door keys its cache on the URL only and ignores `Vary`; with caching on it also drops
// `Accept` before calling the origin (docs/azure-reference.md, "Front Door and Accept"). So one URL cannot carry both
// a WebP and a JPEG answer. `autoFormatStrategy` picks how that is handled:
//   edgeHint     the rules engine reads `Accept` at the edge and, for requests that do not name
//                a format, rewrites the origin path to /_ik-accept/<avif|webp>/<original path>.
//                The app reads the format from that prefix and strips it. The rewritten path is
//                meant to make each format its own cache entry; check it with the curl steps in
//                docs/deployment.md before relying on it.
//   noEdgeCache  requests that do not name a format bypass the edge cache, so `Accept` reaches
//                the app, which negotiates as usual (its blob cache absorbs the load).
//   explicitOnly no rules: a request without an explicit format gets the app's universal
//                fallback format; clients that want WebP/AVIF ask for it with f-webp / f-avif.

param tags object
param profileName string
param endpointName string
param originHostName string

@allowed([
  'edgeHint'
  'noEdgeCache'
  'explicitOnly'
])
param autoFormatStrategy string

@description('Also hint AVIF (AUTO_AVIF on in the app) to clients whose Accept lists image/avif.')
param autoAvif bool

@description('Probe the origin. With a single origin there is nothing to fail over to, so Front Door recommends no probe.')
param healthProbe bool

@minValue(30)
@maxValue(255)
param probeIntervalInSeconds int

resource profile 'Microsoft.Cdn/profiles@2024-02-01' existing = {
  name: profileName
}

resource endpoint 'Microsoft.Cdn/profiles/afdEndpoints@2024-02-01' = {
  parent: profile
  name: endpointName
  location: 'global'
  tags: tags
  properties: {
    enabledState: 'Enabled'
  }
}

resource originGroup 'Microsoft.Cdn/profiles/originGroups@2024-02-01' = {
  parent: profile
  name: 'functionapp'
  properties: {
    loadBalancingSettings: {
      sampleSize: 4
      successfulSamplesRequired: 3
      additionalLatencyInMilliseconds: 50
    }
    // /healthz is anonymous and cheap; HEAD keeps probe traffic small (docs/azure-reference.md, "Health probes"). Every edge
    // site probes, so a probe costs requests that a single origin gains nothing from.
    healthProbeSettings: healthProbe
      ? {
          probePath: '/healthz'
          probeRequestType: 'HEAD'
          probeProtocol: 'Https'
          probeIntervalInSeconds: probeIntervalInSeconds
        }
      : null
    sessionAffinityState: 'Disabled'
  }
}

resource origin 'Microsoft.Cdn/profiles/originGroups/origins@2024-02-01' = {
  parent: originGroup
  name: 'functionapp'
  properties: {
    // App Service routes by Host, so the origin host header is the app's own hostname.
    hostName: originHostName
    originHostHeader: originHostName
    httpPort: 80
    httpsPort: 443
    priority: 1
    weight: 1000
    enabledState: 'Enabled'
    enforceCertificateNameCheck: true
  }
}

// Tokens that mean the URL already fixes the output format (ImageKit `f-*`, or the untouched
// original). Matching is deliberately loose: a false match only means no hint (the universal
// format is served), a missed one only means an extra cache entry (the app ignores the hint
// when the transformation names a format).
var explicitFormatMarkers = [
  'f-jpg'
  'f-jpeg'
  'f-png'
  'f-webp'
  'f-avif'
  'f-gif'
  'f-svg'
  'f-orig'
  'orig-true'
]

var formatHintSegment = '_ik-accept'

var pathNamesNoFormat = {
  name: 'UrlPath'
  parameters: {
    typeName: 'DeliveryRuleUrlPathMatchConditionParameters'
    operator: 'Contains'
    negateCondition: true
    matchValues: explicitFormatMarkers
    transforms: [
      'Lowercase'
    ]
  }
}

var queryNamesNoFormat = {
  name: 'QueryString'
  parameters: {
    typeName: 'DeliveryRuleQueryStringConditionParameters'
    operator: 'Contains'
    negateCondition: true
    matchValues: explicitFormatMarkers
    transforms: [
      'Lowercase'
    ]
  }
}

// A client that asks for a hinted path directly is not hinted twice.
var pathNotHinted = {
  name: 'UrlPath'
  parameters: {
    typeName: 'DeliveryRuleUrlPathMatchConditionParameters'
    operator: 'Contains'
    negateCondition: true
    matchValues: [
      '${formatHintSegment}/'
    ]
    transforms: [
      'Lowercase'
    ]
  }
}

var acceptsAvif = {
  name: 'RequestHeader'
  parameters: {
    typeName: 'DeliveryRuleRequestHeaderConditionParameters'
    selector: 'Accept'
    operator: 'Contains'
    negateCondition: false
    matchValues: [
      'image/avif'
    ]
    transforms: [
      'Lowercase'
    ]
  }
}

var acceptsWebp = {
  name: 'RequestHeader'
  parameters: {
    typeName: 'DeliveryRuleRequestHeaderConditionParameters'
    selector: 'Accept'
    operator: 'Contains'
    negateCondition: false
    matchValues: [
      'image/webp'
    ]
    transforms: [
      'Lowercase'
    ]
  }
}

var useRuleSet = autoFormatStrategy != 'explicitOnly'

resource autoFormatRules 'Microsoft.Cdn/profiles/ruleSets@2024-02-01' = if (useRuleSet) {
  parent: profile
  name: 'autoformat'
}

// edgeHint, AVIF first: every browser that lists image/avif also lists image/webp, and the
// rule asks for both so the app may fall back to WebP when AUTO_AVIF is off.
resource hintAvif 'Microsoft.Cdn/profiles/ruleSets/rules@2024-02-01' = if (autoFormatStrategy == 'edgeHint' && autoAvif) {
  parent: autoFormatRules
  name: 'hintavif'
  properties: {
    order: 1
    matchProcessingBehavior: 'Stop'
    conditions: [
      acceptsAvif
      acceptsWebp
      pathNamesNoFormat
      queryNamesNoFormat
      pathNotHinted
    ]
    actions: [
      {
        name: 'UrlRewrite'
        parameters: {
          typeName: 'DeliveryRuleUrlRewriteActionParameters'
          sourcePattern: '/'
          destination: '/${formatHintSegment}/avif/'
          preserveUnmatchedPath: true
        }
      }
    ]
  }
}

resource hintWebp 'Microsoft.Cdn/profiles/ruleSets/rules@2024-02-01' = if (autoFormatStrategy == 'edgeHint') {
  parent: autoFormatRules
  name: 'hintwebp'
  properties: {
    order: 2
    matchProcessingBehavior: 'Stop'
    conditions: [
      acceptsWebp
      pathNamesNoFormat
      queryNamesNoFormat
      pathNotHinted
    ]
    actions: [
      {
        name: 'UrlRewrite'
        parameters: {
          typeName: 'DeliveryRuleUrlRewriteActionParameters'
          sourcePattern: '/'
          destination: '/${formatHintSegment}/webp/'
          preserveUnmatchedPath: true
        }
      }
    ]
  }
}

// noEdgeCache: a route configuration override without cacheConfiguration turns caching off for
// the matched request, and with caching off Front Door forwards Accept (docs/azure-reference.md, "Front Door and Accept").
resource bypassCache 'Microsoft.Cdn/profiles/ruleSets/rules@2024-02-01' = if (autoFormatStrategy == 'noEdgeCache') {
  parent: autoFormatRules
  name: 'autonocache'
  properties: {
    order: 1
    matchProcessingBehavior: 'Stop'
    conditions: [
      pathNamesNoFormat
      queryNamesNoFormat
    ]
    actions: [
      withoutEdgeCache
    ]
  }
}

// Client hints: `w-auto` / `dpr-auto` answers depend on Sec-CH-Width / Sec-CH-DPR, and Front Door
// keys its cache on the URL only, ignoring Vary. Such URLs are not cached at the edge (the app's
// rendition cache keeps one rendition per hint value). One rule for the path form, one for the
// query form, as a rule's conditions must all match. Continue: the format rules still apply.
var clientHintMarkers = [
  'w-auto'
  'dpr-auto'
]

// A route configuration override without cacheConfiguration: no edge caching for the matched request.
var withoutEdgeCache = {
  name: 'RouteConfigurationOverride'
  parameters: {
    typeName: 'DeliveryRuleRouteConfigurationOverrideActionParameters'
    originGroupOverride: {
      originGroup: {
        id: originGroup.id
      }
      forwardingProtocol: 'HttpsOnly'
    }
  }
}

resource clientHintRules 'Microsoft.Cdn/profiles/ruleSets@2024-02-01' = {
  parent: profile
  name: 'clienthints'
}

resource clientHintPath 'Microsoft.Cdn/profiles/ruleSets/rules@2024-02-01' = {
  parent: clientHintRules
  name: 'hintpathnocache'
  properties: {
    order: 1
    matchProcessingBehavior: 'Continue'
    conditions: [
      {
        name: 'UrlPath'
        parameters: {
          typeName: 'DeliveryRuleUrlPathMatchConditionParameters'
          operator: 'Contains'
          negateCondition: false
          matchValues: clientHintMarkers
          transforms: [
            'Lowercase'
          ]
        }
      }
    ]
    actions: [
      withoutEdgeCache
    ]
  }
}

resource clientHintQuery 'Microsoft.Cdn/profiles/ruleSets/rules@2024-02-01' = {
  parent: clientHintRules
  name: 'hintquerynocache'
  properties: {
    order: 2
    matchProcessingBehavior: 'Continue'
    conditions: [
      {
        name: 'QueryString'
        parameters: {
          typeName: 'DeliveryRuleQueryStringConditionParameters'
          operator: 'Contains'
          negateCondition: false
          matchValues: clientHintMarkers
          transforms: [
            'Lowercase'
          ]
        }
      }
    ]
    actions: [
      withoutEdgeCache
    ]
  }
}

var clientHintRuleSetRefs = [
  {
    id: clientHintRules.id
  }
]

var autoFormatRuleSetRefs = [
  {
    id: autoFormatRules.id
  }
]

// Images: cached, every query string its own entry (tr=..., ik-t/ik-s of signed URLs).
// Compression off: JPEG/PNG/WebP/AVIF do not shrink and Front Door would only spend time on it.
resource imageRoute 'Microsoft.Cdn/profiles/afdEndpoints/routes@2024-02-01' = {
  parent: endpoint
  name: 'images'
  dependsOn: [
    origin
    hintAvif
    hintWebp
    bypassCache
    clientHintPath
    clientHintQuery
  ]
  properties: {
    originGroup: {
      id: originGroup.id
    }
    // Client-hint rules first, so their cache override holds whatever the format rules do.
    ruleSets: concat(clientHintRuleSetRefs, useRuleSet ? autoFormatRuleSetRefs : [])
    patternsToMatch: [
      '/*'
    ]
    supportedProtocols: [
      'Http'
      'Https'
    ]
    forwardingProtocol: 'HttpsOnly'
    httpsRedirect: 'Enabled'
    linkToDefaultDomain: 'Enabled'
    cacheConfiguration: {
      queryStringCachingBehavior: 'UseQueryString'
      compressionSettings: {
        isCompressionEnabled: false
        contentTypesToCompress: []
      }
    }
  }
}

// Management API, health and the web console: never cached (no cacheConfiguration), no format rules.
// The more specific patterns win over the image route's /*.
resource apiRoute 'Microsoft.Cdn/profiles/afdEndpoints/routes@2024-02-01' = {
  parent: endpoint
  name: 'api'
  dependsOn: [
    imageRoute
  ]
  properties: {
    originGroup: {
      id: originGroup.id
    }
    patternsToMatch: [
      '/v1/*'
      '/healthz'
      '/console'
      '/console/*'
    ]
    supportedProtocols: [
      'Http'
      'Https'
    ]
    forwardingProtocol: 'HttpsOnly'
    httpsRedirect: 'Enabled'
    linkToDefaultDomain: 'Enabled'
  }
}

output endpointName string = endpoint.name
output hostName string = endpoint.properties.hostName
