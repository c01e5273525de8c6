import type { FrontDoorOptions } from '../cache/front-door';
import type { FetchLimits } from '../origins/types';
import type { AccessPolicy } from '../security/access';
import type { RenderLimits, TransformationLimits } from '../security/limits';
import type { LimiterOptions } from '../security/transform-limiter';
import type { Settings } from '../settings';
import type { AppStorageOptions } from '../storage';

// Each part takes only the settings it uses, by these names; this is the one place that reads them by their
// environment names.

const MB = 1024 * 1024;

export const storageOptions = (s: Settings): AppStorageOptions => ({
  connectionString: s.STORAGE_CONNECTION_STRING,
  accountName: s.STORAGE_ACCOUNT_NAME,
  blobEndpoint: s.STORAGE_BLOB_ENDPOINT,
  tableEndpoint: s.STORAGE_TABLE_ENDPOINT,
  queueEndpoint: s.STORAGE_QUEUE_ENDPOINT,
  deadlines: { tryTimeoutMs: s.STORAGE_TRY_TIMEOUT_MS, deadlineMs: s.STORAGE_DEADLINE_MS, maxTries: s.STORAGE_MAX_TRIES },
});

export const transformationLimits = (s: Settings): TransformationLimits => ({ maxSteps: s.MAX_STEPS, maxLayers: s.MAX_LAYERS, maxTextLength: s.MAX_TEXT_LENGTH });

export const accessPolicy = (s: Settings): AccessPolicy => ({
  keys: [s.PRIVATE_API_KEY, s.PREVIOUS_PRIVATE_API_KEY].filter((k): k is string => k !== undefined),
  restrictUnsignedUrls: s.RESTRICT_UNSIGNED_URLS,
  restrictUnnamedTransformations: s.RESTRICT_UNNAMED_TRANSFORMATIONS,
  limits: transformationLimits(s),
});

export const renderLimits = (s: Settings): RenderLimits => ({
  maxInputPixels: s.MAX_INPUT_PIXELS,
  maxFrames: s.MAX_FRAMES,
  maxAnimatedPixels: s.MAX_ANIMATED_PIXELS,
  maxOutputPixels: s.MAX_OUTPUT_PIXELS,
  maxOutputSide: s.MAX_OUTPUT_SIDE,
  maxWebpOutputSide: s.MAX_WEBP_OUTPUT_SIDE,
  maxAvifOutputPixels: s.MAX_AVIF_OUTPUT_PIXELS,
  maxWebpOutputPixels: s.MAX_WEBP_OUTPUT_PIXELS,
});

export const limiterOptions = (s: Settings): LimiterOptions => ({
  maxConcurrentTransforms: s.MAX_CONCURRENT_TRANSFORMS,
  maxQueuedTransforms: s.MAX_QUEUED_TRANSFORMS,
  queueTimeoutMs: s.QUEUE_TIMEOUT_MS,
  memoryBudgetMb: s.MEMORY_BUDGET_MB,
  downloadBudgetMb: s.DOWNLOAD_BUDGET_MB,
});

export const fetchLimits = (s: Settings): FetchLimits => ({
  maxBytes: s.MAX_INPUT_BYTES,
  connectTimeoutMs: s.ORIGIN_CONNECT_TIMEOUT_MS,
  timeoutMs: s.ORIGIN_TIMEOUT_MS,
  allowPrivateAddresses: s.ALLOW_PRIVATE_ORIGIN_ADDRESSES,
});

/** Front Door purges only when all four FRONT_DOOR_* settings are present. */
export function frontDoorOptions(s: Settings): FrontDoorOptions | undefined {
  const { FRONT_DOOR_SUBSCRIPTION_ID: subscriptionId, FRONT_DOOR_RESOURCE_GROUP: resourceGroup, FRONT_DOOR_PROFILE: profile, FRONT_DOOR_ENDPOINT: endpoint } = s;
  if (!subscriptionId || !resourceGroup || !profile || !endpoint) return undefined;
  return { subscriptionId, resourceGroup, profile, endpoint, resourceManagerEndpoint: s.RESOURCE_MANAGER_ENDPOINT };
}

export const megabytes = (mb: number) => mb * MB;
