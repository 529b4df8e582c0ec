// Label selector syntax of apimachinery pkg/labels/selector.go: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`,
// `k`, `!k`, `k>N`, `k<N`; comma = AND; the empty string selects everything. Parse errors are 400s whose message
// starts with `unable to parse requirement:` like the apiserver's.
import { errors } from './errors.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';

export type LabelOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
export interface LabelRequirement { key: string; operator: LabelOperator; values: string[] }
export interface LabelSelector { requirements: LabelRequirement[] }

const EVERYTHING: LabelSelector = Object.freeze({ requirements: [] }) as LabelSelector;

export function isEverything(sel: LabelSelector): boolean {
  return sel.requirements.length === 0;
}

type Tok = { kind: 'id' | 'op' | 'end'; text: string };
const OPS = ['!=', '==', '=', '!', '(', ')', ',', '<', '>'];

function tokenize(s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    const op = OPS.find((o) => s.startsWith(o, i));
    if (op) { toks.push({ kind: 'op', text: op }); i += op.length; continue; }
    let j = i;
    while (j < s.length && !/\s/.test(s[j]) && !'!=(),<>'.includes(s[j])) j++;
    toks.push({ kind: 'id', text: s.slice(i, j) });
    i = j;
  }
  toks.push({ kind: 'end', text: 'end of string' });
  return toks;
}

function fail(detail: string): never {
  throw errors.badRequest(`unable to parse requirement: ${detail}`);
}

function checkKey(key: string): void {
  const msgs = isQualifiedName(key);
  if (msgs.length) fail(`key: Invalid value: ${JSON.stringify(key)}: ${msgs.join('; ')}`);
}

function checkValue(v: string, path: string): void {
  const msgs = isValidLabelValue(v);
  if (msgs.length) fail(`${path}: Invalid value: ${JSON.stringify(v)}: ${msgs.join('; ')}`);
}

/** Parses a label selector string; throws a 400 StatusError on bad syntax or invalid keys/values. */
export function parseLabelSelector(s: string): LabelSelector {
  if (s.trim() === '') return EVERYTHING;
  const toks = tokenize(s);
  let p = 0;
  const peek = () => toks[p];
  const next = () => toks[p++];
  const requirements: LabelRequirement[] = [];
  for (;;) {
    let t = next();
    let negated = false;
    if (t.kind === 'op' && t.text === '!') { negated = true; t = next(); }
    if (t.kind !== 'id') fail(`found '${t.text}', expected: !, identifier, or 'end of string'`);
    const key = t.text;
    checkKey(key);
    if (negated) {
      requirements.push({ key, operator: 'DoesNotExist', values: [] });
    } else {
      const op = peek();
      if (op.kind === 'end' || (op.kind === 'op' && op.text === ',')) {
        requirements.push({ key, operator: 'Exists', values: [] });
      } else {
        next();
        requirements.push(parseOperation(key, op, next, peek));
      }
    }
    const after = next();
    if (after.kind === 'end') break;
    if (after.kind !== 'op' || after.text !== ',') fail(`found '${after.text}', expected: ',' or 'end of string'`);
    const lead = peek();
    if (lead.kind !== 'id' && !(lead.kind === 'op' && lead.text === '!')) fail(`found '${lead.text}', expected: identifier after ','`);
  }
  return { requirements };
}

function parseOperation(key: string, op: Tok, next: () => Tok, peek: () => Tok): LabelRequirement {
  const single = (operator: LabelOperator): LabelRequirement => {
    const v = peek();
    // `k=` and `k=,x` select an empty value, as in Kubernetes.
    const value = v.kind === 'id' ? next().text : '';
    if (v.kind === 'op' && v.text !== ',') fail(`found '${v.text}', expected: identifier`);
    checkValue(value, 'values[0]');
    return { key, operator, values: [value] };
  };
  if (op.kind === 'op' && (op.text === '=' || op.text === '==')) return single('In');
  if (op.kind === 'op' && op.text === '!=') return single('NotIn');
  if (op.kind === 'op' && (op.text === '>' || op.text === '<')) {
    const v = next();
    if (v.kind !== 'id' || !/^-?\d+$/.test(v.text)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
    return { key, operator: op.text === '>' ? 'Gt' : 'Lt', values: [v.text] };
  }
  if (op.kind === 'id' && (op.text === 'in' || op.text === 'notin')) {
    const open = next();
    if (open.kind !== 'op' || open.text !== '(') fail(`found '${open.text}', expected: '('`);
    const values: string[] = [];
    for (;;) {
      const v = peek();
      if (v.kind === 'id') { values.push(next().text); }
      else values.push('');
      const sep = next();
      if (sep.kind === 'op' && sep.text === ')') break;
      if (sep.kind !== 'op' || sep.text !== ',') fail(`found '${sep.text}', expected: ',', ')' or identifier`);
    }
    if (values.length === 1 && values[0] === '') fail(`for 'in', 'notin' operators, values set can't be empty`);
    values.forEach((v, i) => checkValue(v, `values[${i}]`));
    return { key, operator: op.text === 'in' ? 'In' : 'NotIn', values: [...new Set(values)].sort() };
  }
  return fail(`found '${op.text}', expected: in, notin, =, ==, !=, gt, lt`);
}

/** Whether an object's labels satisfy every requirement. `!=`/`notin` match objects lacking the key. */
export function labelsMatch(sel: LabelSelector, labels: Record<string, string> = {}): boolean {
  for (const r of sel.requirements) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels[r.key] : undefined;
    switch (r.operator) {
      case 'In': if (!has || !r.values.includes(v!)) return false; break;
      case 'NotIn': if (has && r.values.includes(v!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      case 'Gt': case 'Lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const n = Number(v), bound = Number(r.values[0]);
        if (r.operator === 'Gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

/** `matchLabels` → selector (each entry an equality requirement). */
export function selectorFromMatchLabels(map: Record<string, string> = {}): LabelSelector {
  return { requirements: Object.keys(map).sort().map((key) => ({ key, operator: 'In' as const, values: [map[key]] })) };
}

/** Renders a selector back to its canonical string form. */
export function labelSelectorString(sel: LabelSelector): string {
  return sel.requirements.map((r) => {
    switch (r.operator) {
      case 'Exists': return r.key;
      case 'DoesNotExist': return `!${r.key}`;
      case 'Gt': return `${r.key}>${r.values[0]}`;
      case 'Lt': return `${r.key}<${r.values[0]}`;
      case 'In': return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
      case 'NotIn': return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`;
    }
  }).join(',');
}

