import { badParam, type IkError } from '../../http/errors';
import { looksLikeExpression, readExpression, readSignedNumber, type Amount } from '../expression';

/** Largest side ImageKit accepts in a URL. */
export const MAX_SIDE = 65535;
/** Trim threshold for `t-true`. */
export const DEFAULT_TRIM = 10;
/** The solid colour block's input: a canvas, not an image path. */
export const CANVAS = 'ik_canvas';

/** The one refusal of a value: names the parameter, the value and what was expected. */
export function invalid(key: string, value: string, expected: string): IkError {
  return badParam(`Invalid value "${value}" for parameter "${key}": expected ${expected}`);
}

/** Whether `value` is one of `values`, narrowing it to their type. */
export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

/** One of `values`, or a 400 listing them. */
export function readChoice<T extends string>(key: string, value: string, values: readonly T[]): T {
  if (!isOneOf(values, value)) throw invalid(key, value, `one of ${values.join(', ')}`);
  return value;
}

export interface Range {
  min: number;
  max: number;
  integer?: boolean;
  /** `N` for negatives is allowed. */
  signed?: boolean;
}

export function readLiteral(key: string, value: string, range: Range, expected: string): number {
  const n = readSignedNumber(value);
  if (n === undefined || (n < 0 && !range.signed) || n < range.min || n > range.max || (range.integer && !Number.isInteger(n))) {
    throw invalid(key, value, expected);
  }
  return n;
}

/** A number, or where ImageKit allows them, an arithmetic expression (checked when the step runs). */
export function readAmount(key: string, value: string, range: Range, expected: string): Amount {
  if (looksLikeExpression(value)) {
    const e = readExpression(value);
    if (!e) throw invalid(key, value, `${expected}, or an expression such as iw_div_2`);
    return e;
  }
  return readLiteral(key, value, range, expected);
}

/**
 * `name-value` sub-parameters joined by `_`, as `e-shadow-bl-15_st-40_x-N5` and `e-gradient-ld-top_right_from-red`
 * write them: a part that does not start a known sub-parameter continues the previous value.
 */
export function subParams(key: string, value: string, names: readonly string[]): Map<string, string> {
  const result = new Map<string, string>();
  let current: string | undefined;
  for (const part of value === '' ? [] : value.split('_')) {
    const name = names.find((n) => part.startsWith(`${n}-`));
    if (name) {
      if (result.has(name)) throw badParam(`Parameter "${key}" sets "${name}" twice`);
      current = name;
      result.set(name, part.slice(name.length + 1));
    } else if (current) result.set(current, `${result.get(current)}_${part}`);
    else throw invalid(key, value, `sub-parameters ${names.map((n) => `${n}-…`).join(', ')} joined by _`);
  }
  return result;
}

/** A value percent-decoded once more, as the SDKs encode `i-` values; a lone `%` stays as it is. */
export function decodedOnce(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
