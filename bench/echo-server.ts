// The same-run baseline for bench/creates.ts: a bare fastify server, same process model as the apiserver (its own
// process, one core), that decodes and validates a pod with exactly the apiserver's code (`decodeObject('Pod')` with
// its ajv schema, then `validatePod`), gives it a name and echoes it with 201. No storage, no defaulting, no watch:
// the ratio creates/echo is what the rest of the create path costs.
// Usage: node --import tsx bench/echo-server.ts [--port 0]   (logs {"msg":"listening","url":…})
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import fastify from 'fastify';
import { decodeObject, validatePod, type Pod } from '@podling/api';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

const app = fastify({ logger: false, bodyLimit: 3 * 1024 * 1024 });
app.removeAllContentTypeParsers();
// The apiserver parses JSON bodies as a string with JSON.parse (http/body-parsers.ts); do the same.
app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
  try { done(null, JSON.parse(body as string)); } catch (e) { done(e as Error); }
});

app.get('/readyz', async () => 'ok');

app.post<{ Params: { ns: string } }>('/api/v1/namespaces/:ns/pods', async (req, reply) => {
  const { object: pod } = decodeObject<Pod>('Pod', req.body, { fieldValidation: 'Warn' });
  pod.metadata.namespace ??= req.params.ns;
  if (!pod.metadata.name && pod.metadata.generateName) pod.metadata.name = pod.metadata.generateName + randomBytes(3).toString('hex').slice(0, 5);
  const errs = validatePod(pod, { allowPrivileged: false });
  if (errs.length) return reply.code(422).type('application/json').send(JSON.stringify({ kind: 'Status', code: 422, details: errs }));
  return reply.code(201).type('application/json').send(JSON.stringify(pod));
});

const url = await app.listen({ host: '127.0.0.1', port: Number(values.port) });
process.stdout.write(JSON.stringify({ msg: 'listening', url }) + '\n');
const stop = () => { void app.close().then(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
