import { z } from 'zod';
import { OBJECT_ID } from './collection';

/** Origin types ImageKit's API knows. Only those in `originInput` are implemented here. */
export const IMAGEKIT_ORIGIN_TYPES = ['S3', 'S3_COMPATIBLE', 'CLOUDINARY_BACKUP', 'WEB_FOLDER', 'WEB_PROXY', 'GCS', 'AZURE_BLOB', 'AKENEO_PIM'] as const;

/** C0, DEL and C1 control characters: meaningless in configuration, and refused in Table Storage keys. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A string of at most `max` UTF-16 units without control characters. The limits of all fields together keep a
 * stored object (one JSON string property) far below Table Storage's 64 KiB (32K UTF-16 units) per property.
 */
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`).refine((s) => !CONTROL.test(s), 'must not contain control characters');

/** Checked before parsing, since URL parsing silently drops tabs and newlines. */
export const httpUrl = text(2048).pipe(z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }));

const common = {
  name: text(200).trim().min(1, 'is required'),
  includeCanonicalHeader: z.boolean().default(false),
  baseUrlForCanonicalHeader: httpUrl.optional(),
};

export const azureBlobOrigin = z.object({
  type: z.literal('AZURE_BLOB'),
  ...common,
  accountName: z.string().regex(/^[a-z0-9]{3,24}$/, 'must be 3-24 lowercase letters and digits'),
  container: z.string().regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a valid container name (3-63 lowercase letters, digits and single hyphens)'),
  sasToken: text(2048)
    .startsWith('?', 'must start with "?"')
    .refine((s) => new URLSearchParams(s.slice(1)).has('sig'), 'must contain a signature (sig=...)'),
  prefix: text(1024).default(''),
  /** Additive to ImageKit: blob service URL for Azurite, sovereign clouds and private endpoints. */
  endpoint: httpUrl.optional(),
});

/** ImageKit's web server origin: `<baseUrl>/<asset path>`. */
export const webFolderOrigin = z.object({
  type: z.literal('WEB_FOLDER'),
  ...common,
  baseUrl: httpUrl,
  forwardHostHeaderToOrigin: z.boolean().default(false),
});

/** The path after the URL endpoint is the absolute URL of the original. */
export const webProxyOrigin = z.object({
  type: z.literal('WEB_PROXY'),
  ...common,
});

export const originInput = z.discriminatedUnion('type', [azureBlobOrigin, webFolderOrigin, webProxyOrigin]);

export type AzureBlobOriginConfig = z.infer<typeof azureBlobOrigin>;
export type WebFolderOriginConfig = z.infer<typeof webFolderOrigin>;
export type OriginConfig = z.infer<typeof originInput>;

/** Reserved first path segments: management API, health probe, web console, and what the Functions host owns. */
export const RESERVED_PREFIXES = ['v1', 'healthz', 'console', 'admin', 'runtime', 'api'];

export const urlEndpointInput = z.object({
  description: text(1000),
  origins: z.array(z.string().regex(OBJECT_ID, 'must be an origin id (24 hex digits)')).max(10, 'can list at most 10 origins').default([]),
  urlPrefix: z
    .string()
    .regex(/^[A-Za-z0-9-]{0,100}$/, 'may contain only letters, digits and hyphens (at most 100)')
    .refine((p) => !RESERVED_PREFIXES.includes(p.toLowerCase()), `must not be one of ${RESERVED_PREFIXES.join(', ')}`)
    .default(''),
  /** Additive to ImageKit: refuse unsigned URLs on this endpoint even when the account allows them. */
  restrictUnsignedUrls: z.boolean().optional(),
  /** Additive to ImageKit: only `n-` (named) transformations on this endpoint, even when the account allows others. */
  restrictUnnamedTransformations: z.boolean().optional(),
  /** Additive to ImageKit: let this endpoint's WEB_PROXY origins fetch for unsigned URLs too (an open proxy). */
  allowUnsignedWebProxy: z.boolean().optional(),
  /** Additive to ImageKit: keep fetched originals in memory this long, so the variants of one image fetch it once. */
  originalsCacheSeconds: z.number().int().min(0).max(86400).optional(),
  urlRewriter: z.never({ error: 'is not supported by this server (CLOUDINARY, IMGIX and AKAMAI rewriters are not implemented)' }).optional(),
});

export type UrlEndpointConfig = Omit<z.infer<typeof urlEndpointInput>, 'urlRewriter'>;

export const DEFAULT_ENDPOINT_ID = 'default';

/** ImageKit's named transformation: `n-<name>` in a URL stands for `transformation`. */
export const namedTransformationInput = z.object({
  name: z.string().regex(/^[A-Za-z0-9_]{1,100}$/, 'may contain only letters, digits and underscores (1-100 characters)'),
  transformation: text(4000).trim().min(1, 'is required'),
  enabled: z.boolean().default(true),
});

export type NamedTransformationConfig = z.infer<typeof namedTransformationInput> & { createdAt: string };
