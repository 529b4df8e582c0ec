// The `nft -f` scripts that put a ProxyRuleset into the agent's table, each one transaction (all or nothing):
//   full  — create-if-missing, delete, re-create: converges from anything (a killed agent's leftovers, a hand edit);
//   sync  — flush every rule and map, delete what the previous ruleset had and this one has not, add the rest: the
//           affinity sets (ClientIP) survive with their elements, as kube-proxy's partial syncs keep them.
// Objects are declared before any rule or element refers to them, and a chain is deleted only after the rules and
// map elements pointing at it are gone (same transaction).
import type { ProxyRuleset } from './proxy-ruleset.ts';

const q = (s: string) => JSON.stringify(s);

function body(t: string, r: ProxyRuleset, freshSets: boolean): string[] {
  const lines: string[] = [];
  for (const [name, c] of r.chains) lines.push(`add chain ${t} ${name}${c.hook ? ` { ${c.hook} }` : ''}`);
  for (const [name, s] of r.sets) lines.push(`add ${s.map ? 'map' : 'set'} ${t} ${name} { ${s.spec} }`);
  if (!freshSets) for (const [name, s] of r.sets) if (!s.dynamic) lines.push(`flush ${s.map ? 'map' : 'set'} ${t} ${name}`);
  return lines;
}

function fill(t: string, r: ProxyRuleset): string[] {
  const lines: string[] = [];
  for (const [name, c] of r.chains) for (const rule of c.rules) lines.push(`add rule ${t} ${name} ${rule}`);
  for (const [name, s] of r.sets) if (s.elements.length) lines.push(`add element ${t} ${name} { ${s.elements.join(', ')} }`);
  return lines;
}

/** Replaces the table `ip <table>` whatever it held. */
export function fullScript(table: string, comment: string, r: ProxyRuleset): string {
  const t = `ip ${table}`;
  return [`add table ${t}`, `delete table ${t}`, `add table ${t} { comment ${q(comment)} ; }`, ...body(t, r, true), ...fill(t, r), ''].join('\n');
}

/** Turns the table from `prev` (what the last successful script made) into `next`. */
export function syncScript(table: string, comment: string, prev: ProxyRuleset, next: ProxyRuleset): string {
  const t = `ip ${table}`;
  const stale: string[] = [];
  for (const name of prev.chains.keys()) if (!next.chains.has(name)) stale.push(`delete chain ${t} ${name}`);
  for (const [name, s] of prev.sets) if (!next.sets.has(name)) stale.push(`delete ${s.map ? 'map' : 'set'} ${t} ${name}`);
  return [`add table ${t} { comment ${q(comment)} ; }`, `flush table ${t}`, ...body(t, next, false), ...stale, ...fill(t, next), ''].join('\n');
}

/** The whole ruleset as one readable text (tests, logs): chains then sets, each with its rules or elements. */
export function formatRuleset(r: ProxyRuleset): string {
  const out: string[] = [];
  for (const [name, c] of r.chains) out.push(`chain ${name} {`, ...(c.hook ? [`  ${c.hook}`] : []), ...c.rules.map((x) => `  ${x}`), '}');
  for (const [name, s] of r.sets) out.push(`${s.map ? 'map' : 'set'} ${name} { ${s.spec} }`, ...s.elements.map((e) => `  ${e}`));
  return out.join('\n');
}
