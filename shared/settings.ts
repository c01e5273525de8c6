import { availableParallelism } from 'node:os';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const positiveInt = z.coerce.number().int().positive();

/** Every environment setting the app reads, with its default. docs/settings.md and local.settings.json.example list the same names (test/unit/settings-docs.test.ts). */
const schema = z.object({
  PRIVATE_API_KEY: z.string().min(16, 'must be at least 16 characters'),
  /** The key before the last rotation: URLs it signed keep working while it is set. */
  PREVIOUS_PRIVATE_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  RESTRICT_UNSIGNED_URLS: bool.default(false),
  /** Only `n-` (named) transformations on every endpoint; 400 otherwise. */
  RESTRICT_UNNAMED_TRANSFORMATIONS: bool.default(false),
  /** The app's own storage (config table, renditions) with an account key or SAS; or else STORAGE_ACCOUNT_NAME. */
  STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
  /** The app's own storage reached with its managed identity, no keys: the account name. */
  STORAGE_ACCOUNT_NAME: z.string().regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name').optional(),
  /** With STORAGE_ACCOUNT_NAME: the blob, table and queue service URLs, when not the public cloud's (sovereign clouds, private endpoints). */
  STORAGE_BLOB_ENDPOINT: z.string().url().optional(),
  STORAGE_TABLE_ENDPOINT: z.string().url().optional(),
  STORAGE_QUEUE_ENDPOINT: z.string().url().optional(),
  /** Queue of the app's own storage that carries edge purges to the queue-triggered function; `<name>-poison` holds the ones that failed every try. */
  PURGE_QUEUE: z
    .string()
    .regex(/^(?=.{3,56}$)[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a valid queue name of at most 56 characters (the poison queue adds "-poison")')
    .default('edge-purges'),
  CONFIG_TABLE: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid table name')
    .default('imagecdnconfig'),
  CONFIG_CACHE_SECONDS: z.coerce.number().min(0).default(10),
  /**
   * How often an instance reads the purge log (the config table) while it serves requests; a purge made through
   * another instance reaches its memory caches within twice this long.
   */
  PURGE_SYNC_SECONDS: z.coerce.number().min(0).max(300).default(5),
  /** Blob events purged at once per instance; more wait their turn, so a bulk upload does not flood storage. */
  BLOB_EVENT_CONCURRENCY: positiveInt.max(64).default(4),
  /** One try of one call to the app's own storage (config table, rendition container). */
  STORAGE_TRY_TIMEOUT_MS: positiveInt.default(2000),
  /** All tries of one call to the app's own storage together. */
  STORAGE_DEADLINE_MS: positiveInt.default(5000),
  /** Tries of one call to the app's own storage at most. */
  STORAGE_MAX_TRIES: positiveInt.max(10).default(3),
  DEFAULT_QUALITY: z.coerce.number().int().min(1).max(100).default(80),
  AUTO_AVIF: bool.default(false),
  /** JPEG output with 4:2:0 chroma, ImageKit's chroma subsampling setting (off there by default too). */
  JPEG_CHROMA_SUBSAMPLING: bool.default(false),
  CACHE_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(31536000),
  ERROR_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(60),
  MAX_INPUT_BYTES: positiveInt.default(40 * 1024 * 1024),
  MAX_INPUT_PIXELS: positiveInt.default(100_000_000),
  /** Sum over all frames of an animated input. */
  MAX_ANIMATED_PIXELS: positiveInt.default(100_000_000),
  MAX_OUTPUT_PIXELS: positiveInt.default(100_000_000),
  /** Largest output side: the format limits (WebP 16383, JPEG and PNG 65535) are also the highest values allowed. */
  MAX_OUTPUT_SIDE: positiveInt.max(65535).default(65535),
  MAX_WEBP_OUTPUT_SIDE: positiveInt.max(16383).default(16383),
  /** libheif ignores libvips' timeout, so AVIF output is capped by size: about 5 s for 4 MP at effort 3 on one core. */
  MAX_AVIF_OUTPUT_PIXELS: positiveInt.default(4_000_000),
  /** WebP's encoder holds about 40 bytes a pixel; over this a negotiated WebP falls back to JPEG or PNG. */
  MAX_WEBP_OUTPUT_PIXELS: positiveInt.default(16_000_000),
  /** Frames of an animated input: every step runs once per frame. */
  MAX_FRAMES: positiveInt.default(1000),
  /** Steps of a transformation chain (`:`-separated, layer steps included). */
  MAX_STEPS: positiveInt.default(20),
  MAX_LAYERS: positiveInt.default(20),
  MAX_TEXT_LENGTH: positiveInt.default(1000),
  /** SVG is parsed into a DOM to be sanitised; ImageKit also limits vector input to 5 MB. */
  MAX_SVG_BYTES: positiveInt.default(5 * 1024 * 1024),
  /** One deadline for a whole job (decode, steps, encode), counted from its admission. */
  TRANSFORM_TIMEOUT_SECONDS: positiveInt.max(3600).default(20),
  /** Memory per instance for transformation jobs, each admitted by its estimated cost; sized for a 2 GB instance. */
  MEMORY_BUDGET_MB: positiveInt.default(1024),
  /** Memory per instance for originals and layer images being downloaded and transformed, apart from MEMORY_BUDGET_MB. */
  DOWNLOAD_BUDGET_MB: positiveInt.default(128),
  /** Time to establish each connection to a web origin (WEB_FOLDER, WEB_PROXY). */
  ORIGIN_CONNECT_TIMEOUT_MS: positiveInt.default(5000),
  /** Time for a whole origin fetch: connections, redirects, headers and body. */
  ORIGIN_TIMEOUT_MS: positiveInt.default(10000),
  /** UNSAFE outside local development and tests: lets web origins reach loopback, private, link-local and metadata addresses. */
  ALLOW_PRIVATE_ORIGIN_ADDRESSES: bool.default(false),
  /** Transforms running at once in one instance; default twice the CPU cores. */
  MAX_CONCURRENT_TRANSFORMS: positiveInt.default(() => 2 * availableParallelism()),
  /** Transforms waiting for a slot; beyond this a request gets 503 at once. */
  MAX_QUEUED_TRANSFORMS: z.coerce.number().int().min(0).default(16),
  /** How long a transform waits for a slot before the request gets 503 with Retry-After. */
  QUEUE_TIMEOUT_MS: z.coerce.number().int().min(0).default(5000),
  RENDITION_CONTAINER: z
    .string()
    .regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a valid container name')
    .default('renditions'),
  /** Optional separate storage for renditions; defaults to STORAGE_CONNECTION_STRING. */
  RENDITION_STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
  MEMORY_CACHE_MB: z.coerce.number().min(0).default(64),
  MAX_RENDITIONS_PER_ASSET: positiveInt.default(200),
  /** Memory per instance for endpoints that cache originals (`originalsCacheSeconds`). */
  ORIGINALS_CACHE_MB: z.coerce.number().min(0).default(128),
  /** Memory per instance for decoded originals shared by renditions of the same bytes and first resize. */
  DECODED_CACHE_MB: z.coerce.number().min(0).default(64),
  FRONT_DOOR_SUBSCRIPTION_ID: z.string().min(1).optional(),
  FRONT_DOOR_RESOURCE_GROUP: z.string().min(1).optional(),
  FRONT_DOOR_PROFILE: z.string().min(1).optional(),
  FRONT_DOOR_ENDPOINT: z.string().min(1).optional(),
  /** Azure Resource Manager of the cloud the Front Door profile is in (sovereign clouds have their own). */
  RESOURCE_MANAGER_ENDPOINT: z.string().url().default('https://management.azure.com'),
  /** The web console at /console (docs/console.md); off, /console answers 404. It can do only what the management API can. */
  CONSOLE_ENABLED: bool.default(true),
}).superRefine((s, ctx) => {
  if ((s.STORAGE_CONNECTION_STRING === undefined) === (s.STORAGE_ACCOUNT_NAME === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['STORAGE_CONNECTION_STRING'], message: 'set exactly one of STORAGE_CONNECTION_STRING (account key) and STORAGE_ACCOUNT_NAME (managed identity)' });
  }
});

export type Settings = z.infer<typeof schema>;

/** Names of all settings, for documentation checks. */
export const settingNames = Object.keys(schema.shape) as (keyof Settings)[];

/**
 * App Service passes a Key Vault reference on as its own text when it cannot resolve it (the identity's role not
 * yet in effect, a wrong vault or secret name): such a value would otherwise pass for a key.
 */
const unresolvedKeyVaultReference = /^\s*@Microsoft\.KeyVault\(/i;

function parseResult(env: NodeJS.ProcessEnv) {
  // An empty value means unset, as app settings and local.settings.json write optional values.
  return schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
}

/** What is wrong with the settings in `env`: one entry per bad setting, naming it and never its value. */
export function settingsProblems(env: NodeJS.ProcessEnv): string[] {
  const problems = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && unresolvedKeyVaultReference.test(value)) {
      problems.set(name, 'is an unresolved Key Vault reference (check the app identity\'s access to the secret, then restart the app)');
    }
  }
  const result = parseResult(env);
  for (const issue of result.success ? [] : result.error.issues) {
    const name = issue.path.join('.');
    if (!problems.has(name)) problems.set(name, issue.message);
  }
  return [...problems].map(([name, message]) => `${name}: ${message}`);
}

/** The settings in `env`, defaults filled in; throws naming every invalid setting. */
export function parseSettings(env: NodeJS.ProcessEnv): Settings {
  const problems = settingsProblems(env);
  if (problems.length > 0) throw new Error(`Invalid settings: ${problems.join('; ')}`);
  return parseResult(env).data!;
}
