import { createHmac } from 'node:crypto';
import type { DeliveryConfig, EndpointView } from '../../shared/config/snapshot';
import { parseDeliveryUrl } from '../../shared/delivery/request';
import { authorizeDelivery } from '../../shared/security/access';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { countTransformation } from '../../shared/transform/grammar/query';

const KEY = 'private_unit_access_key_0123456789';
const PREVIOUS = 'private_unit_previous_key_0123456';

// Settings are read on first use, after these are in place.
Object.assign(process.env, {
  PRIVATE_API_KEY: KEY,
  PREVIOUS_PRIVATE_API_KEY: PREVIOUS,
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  RESTRICT_UNNAMED_TRANSFORMATIONS: 'true',
  MAX_STEPS: '3',
  MAX_TEXT_LENGTH: '5',
});

const endpoint = (fields: Partial<EndpointView> = {}): EndpointView => ({ id: 'e', description: '', origins: [], urlPrefix: '', ...fields });
const named = new Map(['thumb', 'small', 'big', 'a', 'b', 'c', 'd'].map((name) => [name, { name, description: '', transformation: 'w-10', enabled: true, createdAt: '' }]));
/** The URL parsed as delivery parses it, against a configuration of this one endpoint, then authorised. */
const authorize = (url: string, view = endpoint()) => {
  const config: DeliveryConfig = { endpoints: [view], origins: new Map(), namedTransformations: named };
  return authorizeDelivery(url, parseDeliveryUrl(new URL(url), config)!);
};
const sign = (rest: string, key = KEY) => `https://cdn.example${rest}${rest.includes('?') ? '&' : '?'}ik-s=${createHmac('sha1', key).update(`${rest.slice(1)}9999999999`).digest('hex')}`;
const refusal = (run: () => unknown) => {
  try {
    run();
    return undefined;
  } catch (error) {
    const { status, code } = error as { status: number; code: string };
    return [status, code];
  }
};

describe('authorizeDelivery: restrictions and limits on the URL', () => {
  it('with RESTRICT_UNNAMED_TRANSFORMATIONS, only n- steps pass, in path and query, signed or not', () => {
    expect(authorize('https://cdn.example/a.jpg')).toEqual({ signed: false });
    expect(authorize('https://cdn.example/tr:n-thumb/a.jpg?tr=n-small:n-big')).toEqual({ signed: false });
    for (const url of ['https://cdn.example/tr:w-100/a.jpg', 'https://cdn.example/a.jpg?tr=n-thumb,w-100', 'https://cdn.example/tr:n-/a.jpg', sign('/tr:w-100/a.jpg')]) {
      expect([url, refusal(() => authorize(url))]).toEqual([url, [400, 'EBADPARAM']]);
    }
  });

  it('the previous key still signs during rotation; unsigned URLs are refused only where restricted', () => {
    expect(authorize(sign('/tr:n-thumb/a.jpg', PREVIOUS))).toEqual({ signed: true });
    expect(refusal(() => authorize('https://cdn.example/a.jpg', endpoint({ restrictUnsignedUrls: true })))).toEqual([401, 'EUNAUTHORIZED']);
    expect(authorize(sign('/p/a.jpg'), endpoint({ urlPrefix: 'p', restrictUnsignedUrls: true }))).toEqual({ signed: true });
  });

  it('too many steps or too long a text answer 400 ELIMIT', () => {
    expect(refusal(() => authorize('https://cdn.example/tr:n-a:n-b/a.jpg?tr=n-c:n-d'))).toEqual([400, 'ELIMIT']);
    expect(countTransformation(['w-100,l-text,i-Hello%20world,l-end:h-50', 'l-image,i-logo.png,l-end'].flatMap(parseTransformation))).toEqual({ steps: 3, layers: 2, longestText: 11 });
    expect(countTransformation(parseTransformation(`l-text,ie-${Buffer.from('नमस्ते').toString('base64')},l-end`)).longestText).toBe(6);
    // Counted on the parsed steps as they are written between `:`: branch and nested layer chains included.
    expect(countTransformation(parseTransformation('if-w_gt_5,w-10:rt-90,if-else,l-text,i-Hi%20there,l-end,if-end'))).toEqual({ steps: 2, layers: 1, longestText: 8 });
    expect(countTransformation(parseTransformation('l-image,i-a.png,l-image,i-b.png,l-end:rt-90,l-end:w-10'))).toEqual({ steps: 3, layers: 2, longestText: 0 });
  });
});
