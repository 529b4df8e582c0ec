// What every benchmark returns: named figures, each with an optional target and a baseline. run.ts prints them as
// one table and writes them as JSON; the benchmark files never print tables themselves.

export interface Target {
  /** The figure passes when `value op limit` holds. */
  op: '>=' | '<=';
  limit: number;
  /** Where the target comes from, e.g. "issue 3". */
  source?: string;
}

export interface Baseline {
  value: number;
  /** What was measured, e.g. "bare fastify + same ajv decode". */
  label: string;
  /** true: measured in this run; false: a reference figure measured once on this kind of machine. */
  sameRun: boolean;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: Target;
  baseline?: Baseline;
  /** value / baseline.value, when a ratio means something for this figure. */
  ratio?: number;
  /** A target on the ratio (e.g. creates/s ≥ 0.6 × the echo server). */
  ratioTarget?: Target;
}

export interface BenchResult {
  benchmark: string;
  figures: Figure[];
  /** Context worth reading beside the figures: batching, CPU split, why something was skipped. */
  notes: string[];
  /** Set when the benchmark could not run; its figures are then empty or partial. */
  error?: string;
  seconds?: number;
}

export type Verdict = 'pass' | 'FAIL' | '';

export function verdict(f: Figure): Verdict {
  const checks: boolean[] = [];
  if (f.target) checks.push(holds(f.value, f.target));
  if (f.ratioTarget && f.ratio !== undefined) checks.push(holds(f.ratio, f.ratioTarget));
  if (!checks.length) return '';
  return checks.every(Boolean) ? 'pass' : 'FAIL';
}

function holds(v: number, t: Target): boolean {
  return Number.isFinite(v) && (t.op === '>=' ? v >= t.limit : v <= t.limit);
}
