import { IkError } from '../../shared/http/errors';
import { readEdgeHint } from '../../shared/delivery/edge-hint';

describe('Front Door format hint', () => {
  it('strips /_ik-accept/<format>/ and stands in for Accept', () => {
    expect(readEdgeHint('https://cdn.example.com/_ik-accept/webp/img/tr:w-300/a/b.jpg?tr=h-2&ik-s=x')).toEqual({
      url: 'https://cdn.example.com/img/tr:w-300/a/b.jpg?tr=h-2&ik-s=x',
      accept: 'image/webp',
    });
    expect(readEdgeHint('https://cdn.example.com/_IK-ACCEPT/AVIF/a.jpg')).toEqual({ url: 'https://cdn.example.com/a.jpg', accept: 'image/avif,image/webp' });
  });

  it('leaves other URLs alone, including paths that only contain the name', () => {
    for (const url of ['https://h/a.jpg', 'https://h/img/_ik-accept/webp/a.jpg', 'https://h/_ik-acceptx/webp/a.jpg']) {
      expect(readEdgeHint(url)).toEqual({ url });
    }
  });

  it('refuses unknown hints with 400', () => {
    for (const url of ['https://h/_ik-accept/gif/a.jpg', 'https://h/_ik-accept', 'https://h/_ik-accept//a.jpg']) {
      expect(() => readEdgeHint(url)).toThrow(IkError);
    }
  });
});
