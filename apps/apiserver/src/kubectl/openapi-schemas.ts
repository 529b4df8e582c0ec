// OpenAPI schemas of the served kinds, generated from the very schemas the decoder validates with (@podling/api
// kindSchema), so `kubectl explain` shows what the server accepts. Every struct becomes one named definition
// (referenced by $ref), lists carry the strategic-merge-patch extensions kubectl computes patches with, and each
// kind's own definition carries x-kubernetes-group-version-kind.
import { kindSchema, listStrategy, type Schema } from '@podling/api';
import type { Resource } from '../registry/resource.ts';

type Json = Record<string, unknown>;

/** The definition name of a struct: explain shows the part after the last dot as the field's type. */
const defName = (title: string) => `io.k8s.podling.${title}`;

function types(s: Schema): string[] {
  return (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []).filter((t) => t !== 'null');
}

class Builder {
  readonly definitions: Record<string, Json> = {};
  constructor(private readonly refPrefix: string) {}

  /** Adds a kind's definition (and every struct under it) and returns its name. */
  addKind(r: Resource): void {
    const name = defName(r.kind);
    this.struct(kindSchema(r.kind), r.kind, '', r.kind);
    this.definitions[name]['x-kubernetes-group-version-kind'] = [{ group: r.group, version: r.version, kind: r.kind }];
  }

  private struct(s: Schema, kind: string, path: string, title: string): Json {
    const name = defName(title);
    if (!this.definitions[name]) {
      this.definitions[name] = { type: 'object' };
      const properties: Record<string, Json> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) properties[k] = this.node(v, kind, path ? `${path}.${k}` : k);
      this.definitions[name].properties = properties;
    }
    return { $ref: `${this.refPrefix}${name}` };
  }

  private node(s: Schema, kind: string, path: string): Json {
    const t = types(s);
    if (s.properties) return this.struct(s, kind, path, s.title ?? path.replace(/\W/g, '_'));
    if (t.includes('integer') && t.includes('string')) return { 'x-kubernetes-int-or-string': true };
    if (t.includes('number') && t.includes('string')) return { 'x-kubernetes-int-or-string': true };
    if (s.items) {
      const out: Json = { type: 'array', items: this.node(s.items, kind, `${path}.*`) };
      const strategy = listStrategy(kind, path);
      if (strategy && 'mergeKey' in strategy) Object.assign(out, { 'x-kubernetes-patch-merge-key': strategy.mergeKey, 'x-kubernetes-patch-strategy': 'merge' });
      else if (strategy) Object.assign(out, { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' });
      return out;
    }
    if (s.additionalProperties) return { type: 'object', additionalProperties: this.node(s.additionalProperties, kind, `${path}.*`) };
    if (s.pattern) return { type: 'string', format: 'date-time' };
    switch (t[0]) {
      case 'string': return { type: 'string' };
      case 'integer': return { type: 'integer', format: 'int64' };
      case 'number': return { type: 'number' };
      case 'boolean': return { type: 'boolean' };
      case 'object': return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      default: return {};
    }
  }
}

/** Definitions for the given resources, with $refs under `refPrefix` ("#/components/schemas/" or "#/definitions/"). */
export function schemaDefinitions(resources: Resource[], refPrefix: string): Record<string, Json> {
  const b = new Builder(refPrefix);
  for (const r of resources) b.addKind(r);
  return b.definitions;
}

