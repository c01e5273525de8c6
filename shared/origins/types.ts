/** An original as an origin returns it. */
export interface OriginObject {
  body: Buffer;
  contentType?: string;
  lastModified?: Date;
  etag?: string;
}

/** What bounds one fetch of an original. */
export interface FetchLimits {
  /** Larger originals are refused while downloading (ELIMIT). */
  maxBytes: number;
  /** Time to establish each TCP connection (web origins). */
  connectTimeoutMs: number;
  /** Time for the whole fetch: every redirect, the headers and the body. */
  timeoutMs: number;
  /** Lets web origins reach loopback, private and link-local addresses: unsafe outside development and tests. */
  allowPrivateAddresses: boolean;
  /** Memory for the body, reserved before its bytes are read (the request's share of DOWNLOAD_BUDGET_MB). */
  reserve?: (bytes: number) => Promise<void>;
  /** Stops the fetch when the caller no longer needs the original (a rendition was found meanwhile). */
  abandon?: AbortSignal;
}

/** One fetch of an original on behalf of a delivery request. */
export interface OriginRequest {
  limits: FetchLimits;
  /** WEB_PROXY origins may fetch: the delivery URL was signed, or its endpoint allows unsigned proxying. */
  proxyAllowed: boolean;
  /** The host the client asked for, sent by WEB_FOLDER origins that forward the Host header. */
  requestHost?: string;
}

/** What an access test of an origin found; `ok` is the only verdict under which delivery can read from it. */
export type AccessVerdict =
  | 'ok'
  | 'asset-missing'
  | 'sas-expired'
  | 'sas-not-yet-valid'
  | 'no-read-permission'
  | 'access-denied'
  | 'container-missing'
  | 'unreachable'
  | 'blocked'
  | 'failed';

/** The verdict and what to do about it, for the operator: it may name the account or host, never a secret. */
export interface AccessReport {
  verdict: AccessVerdict;
  message: string;
}

/** Reads originals by asset path. Resolves undefined when the origin does not have the asset. */
export interface Origin {
  fetch(assetPath: string, request: OriginRequest): Promise<OriginObject | undefined>;
  /**
   * Reads (without downloading) one asset, or when none is named, checks that the origin can be read at all.
   * Throws IkError 400 only for an asset path that cannot be used.
   */
  test(assetPath: string | undefined, limits: FetchLimits): Promise<AccessReport>;
}
