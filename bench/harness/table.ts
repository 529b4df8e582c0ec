// One plain-text table for all benchmarks: benchmark, figure, value, target, baseline (same run unless marked
// "ref"), ratio, result. Notes follow the table, grouped by benchmark.
import { verdict, type BenchResult, type Figure, type Target } from './figure.ts';

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function withUnit(v: number, unit: string): string {
  return unit ? `${formatNumber(v)} ${unit}` : formatNumber(v);
}

function target(t: Target | undefined, unit: string): string {
  return t ? `${t.op} ${withUnit(t.limit, unit)}` : '';
}

function row(benchmark: string, f: Figure): string[] {
  const base = f.baseline ? `${withUnit(f.baseline.value, f.unit)}${f.baseline.sameRun ? '' : ' (ref)'}` : '';
  const ratio = f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}${f.ratioTarget ? ` (${target(f.ratioTarget, '')})` : ''}`;
  return [benchmark, f.name, withUnit(f.value, f.unit), target(f.target, f.unit), base, ratio, verdict(f)];
}

export function formatTable(results: BenchResult[]): string {
  const header = ['benchmark', 'figure', 'value', 'target', 'baseline', 'ratio', 'result'];
  const rows: string[][] = [];
  for (const r of results) {
    if (r.error) rows.push([r.benchmark, 'ERROR', r.error.split('\n')[0].slice(0, 80), '', '', '', 'FAIL']);
    for (const f of r.figures) rows.push(row(r.benchmark, f));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)];
  const notes = results.filter((r) => r.notes.length);
  if (notes.length) {
    out.push('', 'notes:');
    for (const r of notes) for (const n of r.notes) out.push(`  [${r.benchmark}] ${n}`);
  }
  out.push('', 'baseline: measured in this run unless marked (ref) = a reference figure measured once on this kind of machine, named in its label');
  return out.join('\n');
}
