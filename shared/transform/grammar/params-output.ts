import { checkSafePath } from '../../security/paths';
import { numberText } from '../expression';
import { atPath } from '../tokens';
import { bool, choice, field, type ParamSpec } from './spec';
import { invalid, readLiteral } from './values';

/** Output: the format and how it is encoded (f, q, pr, lo, md, cp, orig), and the default image (di). */
export const outputParams: ParamSpec[] = [
  bool('cp', 'cp'),
  field('di', 'di', (value) => {
    const path = atPath(value);
    if (path.split('/').every((segment) => segment === '')) throw invalid('di', value, 'a path with @@ for /, for example di-@@fallbacks@@missing.jpg');
    checkSafePath(path, 'parameter "di"');
    return value;
  }, (di) => di),
  choice('f', ['auto', 'orig', 'jpeg', 'png', 'webp', 'avif', 'gif'], { jpg: 'jpeg' }),
  bool('lo', 'lo'),
  bool('md', 'md'),
  bool('orig', 'orig'),
  bool('pr', 'pr'),
  field('q', 'q', (value) => readLiteral('q', value, { min: 1, max: 100, integer: true }, 'a whole number from 1 to 100'), numberText),
];
