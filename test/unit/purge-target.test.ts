import type { DeliveryConfig, EndpointView } from '../../shared/config/snapshot';
import { IkError } from '../../shared/http/errors';
import { purgeTarget } from '../../shared/manage/purge-target';

const view = (id: string, urlPrefix: string): EndpointView => ({ id, description: '', origins: [], urlPrefix });
const config: DeliveryConfig = { endpoints: [view('shop', 'shop'), view('default', '')], origins: new Map(), namedTransformations: new Map() };

describe('purgeTarget: what a purge of one URL removes', () => {
  it.each([
    ['https://cdn.example/sample/plant.jpg', 'default/sample/plant.jpg/', ['/sample/plant.jpg']],
    ['https://cdn.example/sample/plant.jpg?tr=w-100', 'default/sample/plant.jpg/', ['/sample/plant.jpg']],
    ['https://cdn.example/tr:w-100/sample/plant.jpg', 'default/sample/plant.jpg/', ['/tr:w-100/sample/plant.jpg', '/sample/plant.jpg']],
    ['https://cdn.example/shop/tr:w-100,h-50/a%20b.jpg', 'shop/a b.jpg/', ['/shop/tr:w-100,h-50/a%20b.jpg', '/shop/a%20b.jpg']],
    ['https://cdn.example/shop/images/products*', 'shop/images/products', ['/shop/images/products*']],
    ['https://cdn.example/tr:w-10/images/products*', 'default/images/products', ['/tr:w-10/images/products*', '/images/products*']],
  ])('%s: renditions under %s, and at the edge %j', (url, prefix, edgePaths) => {
    expect(purgeTarget(url, config)).toEqual({ prefix, edgePaths });
  });

  it('refuses a wildcard in the middle, a too broad one, and a URL without an asset', () => {
    expect(() => purgeTarget('https://cdn.example/a*/b.jpg', config)).toThrow(/only allowed at the end/);
    expect(() => purgeTarget('https://cdn.example/img*', config)).toThrow(/wildcard needs/);
    expect(() => purgeTarget('https://cdn.example/tr:w-10/', config)).toThrow(/names no asset path/);
    expect(() => purgeTarget('not a url', config)).toThrow(/must be a full URL/);
    expect(() => purgeTarget('not a url', config)).toThrow(IkError);
  });
});
