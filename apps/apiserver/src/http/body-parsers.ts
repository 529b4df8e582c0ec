// Request bodies: JSON or YAML (and the four PATCH media types), at most 3 MiB, parsed once here. YAML aliases are
// capped so an alias bomb cannot expand, and YAML nesting is capped before the (recursive) composer runs. The nesting
// of JSON is checked once, iteratively, by the decoder and the patch functions of @podling/api before they recurse.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Parser as YamlParser, parse as parseYaml } from 'yaml';
import { errors } from '@podling/api';
import { decodeProtobuf, PROTOBUF_CONTENT_TYPE } from '../kubectl/protobuf/decode-protobuf.ts';

export const BODY_LIMIT_BYTES = 3 * 1024 * 1024;
const MAX_DEPTH = 100;

export const PATCH_TYPES = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
} as const;

/** The patch type of a PATCH request, from its Content-Type (415 for anything else). */
export function patchKind(req: FastifyRequest): (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES] {
  const ct = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const kind = (PATCH_TYPES as Record<string, (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES]>)[ct];
  if (!kind) throw errors.unsupportedMediaType(Object.keys(PATCH_TYPES));
  return kind;
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  // kube-apiserver reads a POST or PUT body without a Content-Type as JSON (a PATCH still needs its patch type).
  app.addHook('onRequest', (req, _reply, done) => {
    if ((req.method === 'POST' || req.method === 'PUT') && req.headers['content-type'] === undefined) req.headers['content-type'] = 'application/json';
    done();
  });
  const json = (_req: unknown, body: string, done: (err: Error | null, v?: unknown) => void) => {
    if (body.trim() === '') return done(null, undefined);
    try { done(null, JSON.parse(body)); } catch (e) {
      done(errors.badRequest(`the request body could not be decoded as JSON: ${(e as Error).message}`));
    }
  };
  const yaml = (_req: unknown, body: string, done: (err: Error | null, v?: unknown) => void) => {
    if (body.trim() === '') return done(null, undefined);
    try {
      checkYamlDepth(body);
      done(null, parseYaml(body, { maxAliasCount: 100, merge: false, prettyErrors: false }));
    } catch (e) {
      done(errors.badRequest(`the request body could not be decoded as YAML: ${(e as Error).message.split('\n')[0]}`));
    }
  };
  const opts = { parseAs: 'string' as const, bodyLimit: BODY_LIMIT_BYTES };
  app.addContentTypeParser(['application/json', 'application/json-patch+json', 'application/merge-patch+json',
    'application/strategic-merge-patch+json'], opts, json);
  // kubectl's typed clients (e.g. `kubectl create namespace`) send protobuf with no JSON fallback.
  app.addContentTypeParser(PROTOBUF_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_req, body, done) => {
    try { done(null, decodeProtobuf(body as Buffer)); } catch (e) { done(e as Error); }
  });
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml', 'application/apply-patch+yaml'], opts, yaml);
}

interface CstNode { type?: string; value?: unknown; items?: { key?: unknown; value?: unknown }[] }

/**
 * The YAML composer recurses once per nesting level, and a stack overflow inside it can leave V8's regexp compiler
 * broken so that the next deep document aborts the whole process ("RegExpCompiler Allocation failed"). The CST is
 * built without recursion, so nesting is measured there, before anything recursive runs.
 */
function checkYamlDepth(text: string): void {
  const stack: [CstNode | undefined, number][] = [];
  for (const token of new YamlParser().parse(text)) stack.push([token as CstNode, 0]);
  while (stack.length) {
    const [t, d] = stack.pop()!;
    if (!t || typeof t !== 'object') continue;
    if (t.type === 'document') { stack.push([t.value as CstNode, d]); continue; }
    if (!Array.isArray(t.items)) continue;
    if (d + 1 > MAX_DEPTH) throw new Error(`nesting deeper than ${MAX_DEPTH} levels`);
    for (const it of t.items) stack.push([it.key as CstNode, d + 1], [it.value as CstNode, d + 1]);
  }
}
