/**
 * The `recoverCondition` expression of an EBA alarm rule (seed 001 L30539 et seq.): comparisons of
 * `event.<property>.value` with literals, joined by `and` / `or`, with parentheses. Parsed once
 * by a small recursive-descent grammar into a tree and evaluated against a device's values;
 * nothing is ever handed to `eval` or `Function`.
 *
 *   or      := and ("or" and)*
 *   and     := primary ("and" primary)*
 *   primary := "(" or ")" | compare
 *   compare := operand op operand            op: < <= > >= == !=
 *   operand := event.<identifier>.value | number | 'text' | "text" | true | false
 *
 * `and` binds tighter than `or`. Keywords are case-insensitive (`AND`, `Or`); `&&` and `||` are
 * accepted as their synonyms.
 */

export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type Operand = { kind: 'ref'; property: string } | { kind: 'literal'; value: number | string | boolean };

export type Expr = { kind: 'compare'; op: CompareOp; left: Operand; right: Operand } | { kind: 'and' | 'or'; items: Expr[] };

export class ExprError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at character ${position + 1}`);
    this.position = position;
  }
}

type Token =
  | { t: 'ref'; property: string; pos: number }
  | { t: 'num'; value: number; pos: number }
  | { t: 'str'; value: string; pos: number }
  | { t: 'bool'; value: boolean; pos: number }
  | { t: 'op'; op: CompareOp; pos: number }
  | { t: 'and' | 'or' | '(' | ')' | 'end'; pos: number };

const MAX_LENGTH = 2048;
const MAX_DEPTH = 32;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const [token, length] = symbolAt(text, i) ?? literalAt(text, i) ?? wordAt(text, i);
    out.push(token);
    i += length;
  }
  out.push({ t: 'end', pos: text.length });
  return out;
}

/** A token found at a position, and how many characters it takes. */
type Scanned = [Token, number];

/** Comparison operators, `&&`, `||` and parentheses. */
function symbolAt(text: string, i: number): Scanned | undefined {
  const c = text[i]!;
  const two = text.slice(i, i + 2);
  if (two === '<=' || two === '>=' || two === '==' || two === '!=') return [{ t: 'op', op: two, pos: i }, 2];
  if (two === '&&' || two === '||') return [{ t: two === '&&' ? 'and' : 'or', pos: i }, 2];
  if (c === '<' || c === '>') return [{ t: 'op', op: c, pos: i }, 1];
  if (c === '(' || c === ')') return [{ t: c, pos: i }, 1];
  return undefined;
}

/** Quoted text and numbers. */
function literalAt(text: string, i: number): Scanned | undefined {
  const c = text[i]!;
  if (c === "'" || c === '"') {
    const end = text.indexOf(c, i + 1);
    if (end < 0) throw new ExprError('unterminated text', i);
    return [{ t: 'str', value: text.slice(i + 1, end), pos: i }, end + 1 - i];
  }
  NUMBER.lastIndex = i;
  const num = NUMBER.exec(text);
  if (num && (c === '-' || c === '.' || (c >= '0' && c <= '9'))) return [{ t: 'num', value: Number(num[0]), pos: i }, num[0].length];
  return undefined;
}

/** `and`, `or`, `true`, `false` and `event.<property>.value`; any other word is refused. */
function wordAt(text: string, i: number): Scanned {
  IDENT.lastIndex = i;
  const id = IDENT.exec(text);
  if (!id) throw new ExprError(`unexpected '${text[i]}'`, i);
  const word = id[0];
  const lower = word.toLowerCase();
  if (lower === 'and' || lower === 'or') return [{ t: lower, pos: i }, word.length];
  if (lower === 'true' || lower === 'false') return [{ t: 'bool', value: lower === 'true', pos: i }, word.length];
  if (word !== 'event') throw new ExprError(`unknown word '${word}' (write event.<property>.value)`, i);
  // event.<identifier>.value — the only reference the seed's examples use.
  const m = /^event\.([A-Za-z_][A-Za-z0-9_]*)\.value(?![A-Za-z0-9_])/.exec(text.slice(i));
  if (!m) throw new ExprError('expected event.<property>.value', i);
  return [{ t: 'ref', property: m[1]!, pos: i }, m[0].length];
}

class Parser {
  #i = 0;
  readonly #tokens: Token[];
  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(): Expr {
    const e = this.#or(0);
    const next = this.#peek();
    if (next.t !== 'end') throw new ExprError(`unexpected ${describe(next)}`, next.pos);
    return e;
  }

  #peek(): Token {
    return this.#tokens[this.#i]!;
  }

  #take(): Token {
    return this.#tokens[this.#i++]!;
  }

  #or(depth: number): Expr {
    const items = [this.#and(depth)];
    while (this.#peek().t === 'or') {
      this.#take();
      items.push(this.#and(depth));
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  #and(depth: number): Expr {
    const items = [this.#primary(depth)];
    while (this.#peek().t === 'and') {
      this.#take();
      items.push(this.#primary(depth));
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  #primary(depth: number): Expr {
    const tok = this.#peek();
    if (tok.t === '(') {
      if (depth >= MAX_DEPTH) throw new ExprError(`more than ${MAX_DEPTH} nested parentheses`, tok.pos);
      this.#take();
      const inner = this.#or(depth + 1);
      const close = this.#take();
      if (close.t !== ')') throw new ExprError(`expected ')' but found ${describe(close)}`, close.pos);
      return inner;
    }
    const left = this.#operand();
    const op = this.#take();
    if (op.t !== 'op') throw new ExprError(`expected a comparison (<, <=, >, >=, ==, !=) but found ${describe(op)}`, op.pos);
    const right = this.#operand();
    if (left.kind === 'literal' && right.kind === 'literal')
      throw new ExprError('a comparison needs event.<property>.value on one side', tok.pos);
    return { kind: 'compare', op: op.op, left, right };
  }

  #operand(): Operand {
    const tok = this.#take();
    switch (tok.t) {
      case 'ref':
        return { kind: 'ref', property: tok.property };
      case 'num':
      case 'str':
      case 'bool':
        return { kind: 'literal', value: tok.value };
      default:
        throw new ExprError(`expected event.<property>.value or a value but found ${describe(tok)}`, tok.pos);
    }
  }
}

function describe(tok: Token): string {
  switch (tok.t) {
    case 'end':
      return 'the end';
    case 'op':
      return `'${tok.op}'`;
    case 'ref':
      return `event.${tok.property}.value`;
    case 'num':
    case 'str':
    case 'bool':
      return `'${String(tok.value)}'`;
    default:
      return `'${tok.t}'`;
  }
}

/** Parse an expression; throws ExprError with the position of the first problem. */
export function parseRecoverCondition(text: string): Expr {
  if (text.length > MAX_LENGTH) throw new ExprError(`longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  if (text.trim() === '') throw new ExprError('empty expression', 0);
  return new Parser(tokenize(text)).parse();
}

/** Every property the expression reads. */
export function propertiesOf(e: Expr): string[] {
  const out = new Set<string>();
  const walk = (x: Expr): void => {
    if (x.kind === 'compare') {
      for (const o of [x.left, x.right]) if (o.kind === 'ref') out.add(o.property);
    } else x.items.forEach(walk);
  };
  walk(e);
  return [...out];
}

/** The same expression with every property reference replaced by `to` (see docs/rules.md, recovery rebinding). */
export function rebind(e: Expr, to: string): Expr {
  const op = (o: Operand): Operand => (o.kind === 'ref' ? { kind: 'ref', property: to } : o);
  if (e.kind === 'compare') return { ...e, left: op(e.left), right: op(e.right) };
  return { kind: e.kind, items: e.items.map((i) => rebind(i, to)) };
}

/** Compare two scalars: numbers (and numeric text) by value, text by equality only; anything else is false. */
export function compareValues(op: CompareOp, a: unknown, b: unknown): boolean {
  const x = toComparable(a);
  const y = toComparable(b);
  if (x === undefined || y === undefined) return false;
  if (typeof x === 'number' && typeof y === 'number') {
    switch (op) {
      case '<':
        return x < y;
      case '<=':
        return x <= y;
      case '>':
        return x > y;
      case '>=':
        return x >= y;
      case '==':
        return x === y;
      case '!=':
        return x !== y;
    }
  }
  // Text (or text against a number): only equality is meaningful.
  if (op === '==') return String(x) === String(y);
  if (op === '!=') return String(x) !== String(y);
  return false;
}

function toComparable(v: unknown): number | string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0; // TSL bool values travel as 0/1
  if (typeof v === 'string') {
    const n = v.trim() === '' ? Number.NaN : Number(v);
    return Number.isFinite(n) ? n : v;
  }
  return undefined;
}

/**
 * Evaluate against a device's values. A property without a value makes its comparison false:
 * an unknown value never recovers an alarm.
 */
export function evaluate(e: Expr, valueAt: (property: string) => unknown): boolean {
  switch (e.kind) {
    case 'compare': {
      const a = e.left.kind === 'ref' ? valueAt(e.left.property) : e.left.value;
      const b = e.right.kind === 'ref' ? valueAt(e.right.property) : e.right.value;
      if (a === undefined || b === undefined) return false;
      return compareValues(e.op, a, b);
    }
    case 'and':
      return e.items.every((i) => evaluate(i, valueAt));
    case 'or':
      return e.items.some((i) => evaluate(i, valueAt));
  }
}
