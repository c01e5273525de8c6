import { badParam } from '../http/errors';
import { numberText, readSignedNumber } from './expression';
import type { Condition, ConditionOp, ConditionProp, Size } from './grammar/model';

const PROPS: readonly string[] = ['w', 'h', 'ar', 'iw', 'ih', 'iar'];
const OPS: readonly string[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'];

function invalid(text: string, why: string) {
  return badParam(`Invalid condition "if-${text}": ${why}; expected <w|h|ar|iw|ih|iar>_<eq|ne|gt|gte|lt|lte>_<value> joined by _and_ or _or_`);
}

/** A value: a number, or for aspect ratios also `4-3`. */
function readValue(text: string): number | undefined {
  const ratio = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(text);
  if (ratio) {
    const value = Number(ratio[1]) / Number(ratio[2]);
    return Number.isFinite(value) ? value : undefined;
  }
  return readSignedNumber(text);
}

export function readCondition(text: string): Condition {
  const parts = text.split('_');
  const condition: Condition = [[]];
  for (let i = 0; ; i += 4) {
    const [prop, op, valueText, joiner] = parts.slice(i, i + 4);
    if (!PROPS.includes(prop)) throw invalid(text, `"${prop ?? ''}" is not a property`);
    if (!OPS.includes(op)) throw invalid(text, `"${op ?? ''}" is not an operator`);
    const value = valueText === undefined ? undefined : readValue(valueText);
    if (value === undefined) throw invalid(text, `"${valueText ?? ''}" is not a number`);
    condition[condition.length - 1].push({ prop: prop as ConditionProp, op: op as ConditionOp, value });
    if (joiner === undefined) return condition;
    if (joiner === 'or') condition.push([]);
    else if (joiner !== 'and') throw invalid(text, `"${joiner}" is neither and nor or`);
  }
}

export function conditionText(condition: Condition): string {
  return condition.map((all) => all.map((c) => `${c.prop}_${c.op}_${numberText(c.value)}`).join('_and_')).join('_or_');
}

function compare(op: ConditionOp, a: number, b: number): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
  }
}

/** Whether the condition holds for an image of size `current` whose original is `original`. */
export function holds(condition: Condition, current: Size, original: Size): boolean {
  const values: Record<ConditionProp, number> = {
    w: current.width,
    h: current.height,
    ar: current.width / current.height,
    iw: original.width,
    ih: original.height,
    iar: original.width / original.height,
  };
  return condition.some((all) => all.every((c) => compare(c.op, values[c.prop], c.value)));
}
