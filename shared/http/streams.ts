/**
 * A storage download's body, safe to abandon: a stream left unread (refused as too large, or cut off by a
 * timeout) still reports its socket closing later, and that must not reach the process as an unhandled error.
 * Readers still see every error while they read.
 */
export function abandonable<T extends NodeJS.ReadableStream>(stream: T): T {
  stream.on('error', () => undefined);
  return stream;
}
