// Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time, so a missed target can name what
// the process was doing.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface HotFunction { name: string; where: string; selfPercent: number }

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
    const where = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : '';
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
