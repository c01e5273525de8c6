import { createHmac } from 'node:crypto';
import { IkError } from '../../shared/http/errors';
import { hostForm, sameRequest, verifySignature } from '../../shared/security/signature';

const key = 'private_unit_test_key_0123456789';
const origin = 'https://images.example.com';

/** A URL signed exactly as ImageKit signs: HMAC-SHA1 of the text after the endpoint plus the expiry. */
function sign(target: string): string {
  const text = target.replace(/^\//, '');
  const signature = createHmac('sha1', key).update(`${text}9999999999`).digest('hex');
  return `${origin}${target}${target.includes('?') ? '&' : '?'}ik-s=${signature}`;
}

/**
 * What the Functions host (ASP.NET Core behind Kestrel) passes on as the request URL: the path's escapes decoded
 * except `%2F`, then every character outside RFC 3986's pchar set encoded again with upper-case hex; the query as sent.
 */
function asFunctionsHostHandsItOver(url: string): string {
  const { origin: o } = new URL(url);
  const target = url.slice(o.length);
  const queryStart = target.indexOf('?');
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = queryStart === -1 ? '' : target.slice(queryStart);
  const decoded = path.split(/(%2F)/i).map((part) => (/^%2F$/i.test(part) ? '%2F' : decodeURIComponent(part))).join('');
  const encoded = [...decoded]
    .map((ch) => (/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]/.test(ch) ? ch : [...Buffer.from(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')))
    .join('');
  return `${o}${encoded}${query}`;
}

const verify = (url: string) => verifySignature(url, '', [key]);

describe('signed URLs as the Functions host hands them over', () => {
  it.each([
    ['lower-case escapes', '/tr:w-300/caf%c3%a9.jpg'],
    ['upper-case escapes', '/tr:w-300/caf%C3%A9.jpg'],
    ['an escaped comma', '/tr:w-300%2Ch-200/a%2Cb.jpg'],
    ['an escaped comma in lower case', '/tr:w-300%2ch-200/a.jpg'],
    ['a plain path', '/tr:w-300,h-200/sample/plant.jpg'],
  ])('%s: verifies as sent and as re-encoded by the host', (_name, target) => {
    const signed = sign(target);
    expect(verify(signed)).toEqual({ signed: true });
    const handedOver = asFunctionsHostHandsItOver(signed);
    expect(verify(handedOver)).toEqual({ signed: true });
    // Another transformation or path under the same signature is still refused.
    expect(() => verify(handedOver.replace('w-300', 'w-301'))).toThrow(IkError);
    expect(() => verify(handedOver.replace('.jpg', '.png'))).toThrow(IkError);
  });

  it('an escaped unreserved character (%61) is lost by the host; the target App Service keeps is the same request and verifies', () => {
    const signed = sign('/tr:w-300/%61.jpg');
    const handedOver = asFunctionsHostHandsItOver(signed);
    expect(handedOver).toContain('/tr:w-300/a.jpg?');
    expect(() => verify(handedOver)).toThrow(IkError);
    expect(sameRequest(signed, handedOver)).toBe(true);
    expect(verify(signed)).toEqual({ signed: true });
  });

  it('a kept target that is another request is never taken for this one', () => {
    const victim = sign('/tr:w-300/secret.jpg');
    const signature = new URL(victim).searchParams.get('ik-s');
    for (const other of ['/tr:w-300/other.jpg', '/tr:w-3000/secret.jpg', '/secret.jpg', '/tr:w-300/secret.jpg/x']) {
      expect(sameRequest(victim, `${origin}${other}?ik-s=${signature}`)).toBe(false);
    }
    // An escaped `?` in the path is part of the path, not the start of the query; an escaped `/` stays one.
    expect(sameRequest(`${origin}/a%3Fb.jpg`, `${origin}/a?b.jpg`)).toBe(false);
    expect(sameRequest(`${origin}/a%2Fb.jpg`, `${origin}/a/b.jpg`)).toBe(false);
    expect(sameRequest(`${origin}/caf%c3%a9.jpg?v=1`, `${origin}/caf%C3%A9.jpg?v=1`)).toBe(true);
    // A doubly encoded `:` reaches the app encoded once: the same request, which only the kept target can tell.
    expect(sameRequest(`${origin}/tr:l-image,i-a%253Ab.png,l-end/x.jpg`, `${origin}/tr:l-image,i-a%3Ab.png,l-end/x.jpg`)).toBe(true);
    expect(sameRequest(`${origin}/tr:l-image,i-a%253Ab.png,l-end/x.jpg`, `${origin}/tr:l-image,i-a%253Ab.png,l-end/y.jpg`)).toBe(false);
  });

  it('hostForm: one form per request target', () => {
    expect(hostForm('/caf%c3%a9.jpg')).toBe(hostForm('/caf%C3%A9.jpg'));
    expect(hostForm('/%61,b.jpg')).toBe(hostForm('/a%2Cb.jpg'));
    expect(hostForm('/a%2fb')).toBe('/a%2Fb');
    expect(hostForm('/a%2Fb')).not.toBe(hostForm('/a/b'));
    expect(hostForm('/%ff.jpg')).toBe('/%FF.jpg');
  });
});
