import { badParam } from '../http/errors';

/**
 * ImageKit's arithmetic expressions (`iw_div_2`, `bw_sub_cw`, `ih_mul_0.5_add_10`): operands joined by
 * `_<operator>_`, evaluated in ImageKit's order, which is not the usual one.
 */
export type Variable = 'iw' | 'ih' | 'iar' | 'cw' | 'ch' | 'car' | 'bw' | 'bh' | 'bar';
export type Operator = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'pow';

export interface Expression {
  operands: (number | Variable)[];
  /** operators[i] joins operands[i] and operands[i + 1]. */
  operators: Operator[];
}

/** A numeric parameter value: a literal, or an expression resolved against the image when the step runs. */
export type Amount = number | Expression;

export type Variables = Partial<Record<Variable, number>>;

const VARIABLES: readonly string[] = ['iw', 'ih', 'iar', 'cw', 'ch', 'car', 'bw', 'bh', 'bar'];
const OPERATORS: readonly string[] = ['add', 'sub', 'mul', 'div', 'mod', 'pow'];
/** ImageKit's precedence: mul and div first, then add and sub, then mod, then pow; each left to right. */
const LEVELS: readonly (readonly Operator[])[] = [['mul', 'div'], ['add', 'sub'], ['mod'], ['pow']];

/** A plain number, with ImageKit's `N` prefix for negatives (`N40` is -40). */
export function readSignedNumber(text: string): number | undefined {
  const m = /^(N?)(\d+(?:\.\d+)?|\.\d+)$/.exec(text);
  if (!m) return undefined;
  return m[1] ? -Number(m[2]) : Number(m[2]);
}

/** `N40` for -40: the canonical text of a number. */
export function numberText(n: number): string {
  return n < 0 ? `N${-n}` : String(n);
}

/** True when the text is an expression rather than a plain number: it names a variable or an operator. */
export function looksLikeExpression(text: string): boolean {
  return text.split('_').some((part) => VARIABLES.includes(part) || OPERATORS.includes(part));
}

/** Reads an expression, or undefined when the text is not one. */
export function readExpression(text: string): Expression | undefined {
  const parts = text.split('_');
  if (parts.length % 2 === 0) return undefined;
  const operands: (number | Variable)[] = [];
  const operators: Operator[] = [];
  for (const [i, part] of parts.entries()) {
    if (i % 2 === 1) {
      if (!OPERATORS.includes(part)) return undefined;
      operators.push(part as Operator);
      continue;
    }
    const n = readSignedNumber(part);
    if (n !== undefined) operands.push(n);
    else if (VARIABLES.includes(part)) operands.push(part as Variable);
    else return undefined;
  }
  // A lone number is a number, not an expression.
  return operands.length === 1 && typeof operands[0] === 'number' ? undefined : { operands, operators };
}

export function expressionText(e: Expression): string {
  return e.operands.map((o, i) => (i === 0 ? '' : `_${e.operators[i - 1]}_`) + (typeof o === 'number' ? numberText(o) : o)).join('');
}

export const amountText = (a: Amount): string => (typeof a === 'number' ? numberText(a) : expressionText(a));

function apply(op: Operator, a: number, b: number): number {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return a / b;
    case 'mod':
      return a % b;
    case 'pow':
      return a ** b;
  }
}

/** Why a variable has no value where it is used: the base's sizes exist only in layers; elsewhere, name what does. */
function undefinedVariable(key: string, name: Variable, vars: Variables): string {
  const allowed = Object.keys(vars).join(', ');
  if (name.startsWith('b') && !allowed.includes('bw')) return `Parameter "${key}": "${name}" is only defined inside a layer`;
  return `Parameter "${key}": "${name}" is not defined here; this value may use ${allowed}`;
}

/** The value of an amount for this image; 400 when it names a variable that does not exist here or is not finite. */
export function evaluate(amount: Amount, vars: Variables, key: string): number {
  if (typeof amount === 'number') return amount;
  const values = amount.operands.map((o) => {
    if (typeof o === 'number') return o;
    const v = vars[o];
    if (v === undefined) throw badParam(undefinedVariable(key, o, vars));
    return v;
  });
  const operators = [...amount.operators];
  for (const level of LEVELS) {
    for (let i = 0; i < operators.length; ) {
      if (level.includes(operators[i])) {
        values.splice(i, 2, apply(operators[i], values[i], values[i + 1]));
        operators.splice(i, 1);
      } else i++;
    }
  }
  const result = values[0];
  if (!Number.isFinite(result)) throw badParam(`Parameter "${key}": the expression "${expressionText(amount)}" has no finite value`);
  return result;
}
