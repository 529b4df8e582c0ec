// Compiled request decoders kept on disk between apiserver starts: ajv's standalone code for each schema, written
// once per schema version and loaded with require() afterwards. Compiling the pod schema (and its strict twin)
// costs ~1.5 s of CPU, which every apiserver start paid — the test suite starts a hundred and more. The files live
// in node_modules/.cache (the usual place for a tool's cache), where the generated code's require("ajv/dist/…")
// resolves; a cache that cannot be written only means compiling each time. Keyed by ajv's version, the options
// and the schema itself, so a changed schema never loads stale code.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import AjvModule from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { DECODER_AJV_OPTIONS, type DecoderCompiler } from '@podling/api';

const require = createRequire(import.meta.url);
// ajv ships CommonJS; under ESM the export is either the default or its `.default`.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as typeof AjvModule;
const standaloneCode = ((standaloneModule as unknown as { default?: typeof standaloneModule }).default ?? standaloneModule) as typeof standaloneModule;

export function cachedDecoderCompiler(dir = defaultDir()): DecoderCompiler {
  const ajv = new Ajv({ ...DECODER_AJV_OPTIONS, code: { source: true } });
  const version = (require('ajv/package.json') as { version: string }).version;
  return (schema) => {
    const key = createHash('sha256').update(`${version}\0${JSON.stringify(DECODER_AJV_OPTIONS)}\0${JSON.stringify(schema)}`).digest('hex').slice(0, 32);
    const file = path.join(dir, `${key}.cjs`);
    try {
      return require(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    }
    const validate = ajv.compile(schema);
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, standaloneCode(ajv, validate));
      renameSync(tmp, file); // whole or absent for a concurrent start
    } catch { /* not writable: compiled in memory this time */ }
    return validate;
  };
}

function defaultDir(): string {
  const nodeModules = path.dirname(path.dirname(require.resolve('ajv/package.json')));
  return path.join(nodeModules, '.cache', 'podling-decoders');
}
