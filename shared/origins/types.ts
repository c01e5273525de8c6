/** An original as an origin returns it. */
export interface OriginObject {
  body: Buffer;
  contentType?: string;
  lastModified?: Date;
  etag?: string;
}

/** Reads originals by asset path. Resolves undefined when the origin does not have the asset. */
export interface Origin {
  fetch(assetPath: string, limits: { maxBytes: number }): Promise<OriginObject | undefined>;
}
