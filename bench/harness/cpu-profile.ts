// Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time, so a missed target can name what
// the process was doing.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * Inclusive ("total") time of the repo's own functions (not node_modules, not Node internals): the share of samples
 * with the function anywhere on the stack, each sample counted once per function even under recursion.
 */
export function topInclusiveOwnCode(profileFile: string, limit = 15): HotFunction[] {
  const p = JSON.parse(readFileSync(profileFile, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  // Benchmarks start the apps from their bundles (testkit entry-bundle.ts): those are the repo's code too.
  const own = (n: ProfileNode) => ['/packages/', '/apps/', '/podling-entries/'].some((d) => n.callFrame.url.includes(d));
  const counts = new Map<string, { name: string; where: string; hits: number }>();
  let total = 0;
  for (const id of p.samples) {
    total++;
    const seen = new Set<string>();
    for (let n = byId.get(id); n; n = byId.get(parent.get(n.id) ?? -1)) {
      if (!own(n)) continue;
      const where = shortUrl(n.callFrame.url);
      const key = `${n.callFrame.functionName}|${where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const c = counts.get(key) ?? { name: n.callFrame.functionName || '(anonymous)', where, hits: 0 };
      c.hits++;
      counts.set(key, c);
    }
  }
  return [...counts.values()].sort((a, b) => b.hits - a.hits).slice(0, limit)
    .map((c) => ({ name: c.name, where: c.where, selfPercent: (100 * c.hits) / Math.max(1, total) }));
}

export interface HotFunction {
  name: string;
  where: string;
  /** Share of all samples (self time, or inclusive time for topInclusiveOwnCode). */
  selfPercent: number;
}

export interface CpuProfileSummary {
  functions: HotFunction[];
  /** Self time summed per source file (node internals and native code under their own names). */
  files: { where: string; selfPercent: number }[];
  /** The repo's own functions by inclusive time. */
  ownInclusive: HotFunction[];
}

export function summarizeProfile(profileFile: string, limit = 15): CpuProfileSummary {
  const functions = topSelfTime(profileFile, 10_000);
  const byFile = new Map<string, number>();
  for (const f of functions) {
    const file = f.where.replace(/:\d+$/, '') || f.name;
    byFile.set(file, (byFile.get(file) ?? 0) + f.selfPercent);
  }
  return {
    functions: functions.slice(0, limit),
    ownInclusive: topInclusiveOwnCode(profileFile, limit),
    files: [...byFile].map(([where, selfPercent]) => ({ where, selfPercent })).sort((a, b) => b.selfPercent - a.selfPercent).slice(0, limit),
  };
}

/** A benchmark's notes on one process's profile: its hottest functions by self time, then the repo's own functions
 *  by inclusive time. */
export function profileNotes(who: string, profileFile: string, limit = 15): string[] {
  const s = summarizeProfile(profileFile, limit);
  const line = (f: HotFunction) => `  ${f.selfPercent.toFixed(1)}% ${f.name} ${f.where}`;
  return [`${who} profile, self time:`, ...s.functions.map(line), `${who}: own code by inclusive time:`, ...s.ownInclusive.map(line)];
}

export function topSelfTime(profileFile: string, limit = 15): HotFunction[] {
  const p = JSON.parse(readFileSync(profileFile, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, { name: string; where: string; hits: number }>();
  let total = 0;
  for (const id of p.samples) {
    const n = byId.get(id);
    if (!n) continue;
    total++;
    const f = n.callFrame;
    // Line numbers of tsx-transpiled files do not map back to the source; keep them for plain JS only.
    const where = f.url ? (f.url.endsWith('.ts') ? shortUrl(f.url) : `${shortUrl(f.url)}:${f.lineNumber + 1}`) : '';
    const key = `${f.functionName}|${where}`;
    const c = counts.get(key) ?? { name: f.functionName || '(anonymous)', where, hits: 0 };
    c.hits++;
    counts.set(key, c);
  }
  return [...counts.values()].sort((a, b) => b.hits - a.hits).slice(0, limit)
    .map((c) => ({ name: c.name, where: c.where, selfPercent: (100 * c.hits) / Math.max(1, total) }));
}

function shortUrl(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) return file.slice(nm + 'node_modules/'.length);
  const parts = file.split(path.sep);
  return parts.slice(-3).join('/');
}
