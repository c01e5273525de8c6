import { IkError } from '../../shared/http/errors';
import ImageKit from '@imagekit/nodejs';
import { createHmac } from 'node:crypto';
import LegacyImageKit from 'imagekit';
import { isSignedRequest, verifySignature } from '../../shared/security/signature';

/** ImageKit's published vectors (the SDKs' signing tests, e.g. @imagekit/nodejs tests/custom-tests/url-generation/signing.test.ts; https://imagekit.io/docs/media-delivery-basic-security): [key, string signed (path?query + expiry), ik-s]. */
const vectors: [string, string, string, string][] = [
  ['dummy-key', 'sdk-testing-files/future-search.png', '9999999999', '32dbbbfc5f945c0403c71b54c38e76896ef2d6b0'],
  ['dummy-key', 'sdk-testing-files/%E0%A4%B9%E0%A4%BF%E0%A4%A8%E0%A5%8D%E0%A4%A6%E0%A5%80.png', '9999999999', '3fff2f31da1f45e007adcdbe95f88c8c330e743c'],
  ['dummy-key', 'sdk-testing-files/future-search.png?version=1.0&cache=false', '9999999999', 'f2e5a1b8b6a0b03fd63789dfc6413a94acef9fd8'],
  ['dummy-key', 'sdk-testing-files/future-search.png?version=2.0&tr=w-300,h-200', '9999999999', '601d97a7834b7554f4dabf0d3fc3a219ceeb6b31'],
  ['dummy-key', 'tr:w-300,h-200/sdk-testing-files/future-search.png?version=2.0', '9999999999', 'dd1ee8f83d019bc59fd57a5fc4674a11eb8a3496'],
  ['test_private_key', 'test_path_alt.jpg', '9999999999', 'e26ca157df99b30b2443d7cb6886fc396fb4c87b'],
  ['dummy-key', 'tr:w-400,h-300/sample/testing-file.jpg', '1700000000', '59064c4e1945e4727449247861d7d7d5e6a60803'],
  ['dummy-key', 'sample/testing-file.jpg?tr=w-400,h-300', '1700000000', '9983ff2c49ee83c9ca4f9b90dd8688ed8031d039'],
];

function signedUrl(prefix: string, rest: string, expiry: string, signature: string): string {
  const base = `https://images.example.com${prefix ? `/${prefix}` : ''}/${rest}`;
  const sep = rest.includes('?') ? '&' : '?';
  return expiry === '9999999999' ? `${base}${sep}ik-s=${signature}` : `${base}${sep}ik-t=${expiry}&ik-s=${signature}`;
}

const before2023 = 1_600_000_000;

describe('ImageKit signed URLs', () => {
  it.each(vectors)('key %s, %s verifies on the default endpoint and under a prefix', (key, rest, expiry, signature) => {
    expect(verifySignature(signedUrl('', rest, expiry, signature), '', [key], before2023)).toMatchObject({ signed: true });
    expect(verifySignature(signedUrl('img', rest, expiry, signature), 'img', [key], before2023)).toMatchObject({ signed: true });
  });

  it.each(vectors)('key %s, %s fails with one flipped character', (key, rest, expiry, signature) => {
    const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
    expect(() => verifySignature(signedUrl('', rest, expiry, flipped), '', [key], before2023)).toThrow(IkError);
    const tampered = rest.replace(/\w(?=[^\w]*$)/, (c) => (c === 'a' ? 'b' : 'a'));
    expect(() => verifySignature(signedUrl('', tampered, expiry, signature), '', [key], before2023)).toThrow(IkError);
  });

  it('refuses an expired URL with 401 and accepts the previous key during rotation', () => {
    const [key, rest, expiry, signature] = vectors[6];
    const url = signedUrl('', rest, expiry, signature);
    expect(() => verifySignature(url, '', [key])).toThrow(/expired at 2023-11-14/);
    expect(verifySignature(url, '', ['the-new-key-after-rotation', key], before2023)).toMatchObject({ signed: true });
    expect(() => verifySignature(url, '', ['the-new-key-after-rotation'], before2023)).toThrow(IkError);
  });

  it('a URL without ik-s is unsigned; ik-t alone is refused', () => {
    expect(verifySignature('https://h/a.jpg?tr=w-10', '', ['k'])).toEqual({ signed: false });
    expect(() => verifySignature('https://h/a.jpg?ik-t=9999999999', '', ['k'])).toThrow(IkError);
  });

  it('a signature for the origin as URL endpoint verifies on a prefixed endpoint too; duplicates are refused', () => {
    const key = 'dummy-key';
    const rootSigned = signedUrl('', 'img/photo.jpg', '9999999999', '');
    const sig = createHmac('sha1', key).update('img/photo.jpg9999999999').digest('hex');
    expect(verifySignature(`${rootSigned}${sig}`, 'img', [key])).toEqual({ signed: true });
    expect(() => verifySignature(`${rootSigned}${sig}&ik-s=${sig}`, 'img', [key])).toThrow(/more than one/);
    expect(isSignedRequest(`${rootSigned}${sig}`)).toBe(true);
    expect(isSignedRequest('https://h/a.jpg?ik-sx=1')).toBe(false);
  });

  it('an expiring URL reports when it expires', () => {
    const [key, rest, expiry, signature] = vectors[6];
    expect(verifySignature(signedUrl('', rest, expiry, signature), '', [key], before2023)).toEqual({ signed: true, expiresAt: 1700000000 });
  });

  describe('URLs signed by the SDKs', () => {
    const privateKey = 'private_unit_test_key_0123456789';
    const origin = 'https://images.example.com';
    const client = new ImageKit({ privateKey });
    const legacy = (urlEndpoint: string) => new LegacyImageKit({ publicKey: 'public_unused', privateKey, urlEndpoint });
    const cases = (['', 'img'] as const).flatMap((prefix) =>
      (['query', 'path'] as const).flatMap((position) =>
        ['/sample/plant.jpg', '/sample/हिन्दी.jpg', '/dir with space/a.png'].flatMap((src) => [undefined, 600].map((expires) => ({ prefix, position, src, expires }))),
      ),
    );

    it.each(cases)('prefix "$prefix", $position form, $src, expiresIn $expires: verifies, and fails when tampered', ({ prefix, position, src, expires }) => {
      const urlEndpoint = prefix ? `${origin}/${prefix}` : origin;
      const transformation = [{ width: 300, height: 200 }, { rotation: 90 }];
      const urls = [
        client.helper.buildSrc({ urlEndpoint, src, transformation, transformationPosition: position, signed: true, expiresIn: expires }),
        legacy(urlEndpoint).url({ path: src, transformation, transformationPosition: position, signed: true, expireSeconds: expires }),
      ];
      for (const url of urls) {
        expect(url).toContain('ik-s=');
        expect(verifySignature(url, prefix, [privateKey])).toMatchObject({ signed: true });
        expect(() => verifySignature(url.replace('300', '301'), prefix, [privateKey])).toThrow(IkError);
        expect(() => verifySignature(url, prefix, ['another_key_of_some_length'])).toThrow(IkError);
      }
    });
  });
});
