// Copies the Kubernetes protobuf definitions the apiserver decodes (k8s.io/api and k8s.io/apimachinery
// generated.proto, Apache-2.0) into apps/apiserver/src/kubectl/proto/, keeping each file's license header and its
// definitions and dropping the field documentation (90% of the bytes). Run it against checkouts of the release the
// apiserver emulates:
//   node --import tsx scripts/vendor-k8s-proto.ts <kubernetes/api checkout> <kubernetes/apimachinery checkout>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const API = ['core/v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'coordination/v1'];
const MACHINERY = ['pkg/apis/meta/v1', 'pkg/runtime', 'pkg/runtime/schema', 'pkg/api/resource', 'pkg/util/intstr'];

function strip(text: string): string {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && (lines[i].startsWith('/*') || !lines[i].startsWith('syntax'))) i++;
  const header = lines.slice(0, i).join('\n').trimEnd();
  const body = lines.slice(i).filter((l) => l.trim() !== '' && !l.trim().startsWith('//'));
  return `${header}\n\n// Vendored by scripts/vendor-k8s-proto.ts; field documentation removed.\n${body.join('\n')}\n`;
}

const [apiDir, machineryDir] = process.argv.slice(2);
if (!apiDir || !machineryDir) {
  process.stderr.write('usage: vendor-k8s-proto.ts <kubernetes/api checkout> <kubernetes/apimachinery checkout>\n');
  process.exit(2);
}
const out = path.join(import.meta.dirname, '..', 'apps/apiserver/src/kubectl/proto');
const copy = (from: string, to: string) => {
  mkdirSync(path.dirname(to), { recursive: true });
  writeFileSync(to, strip(readFileSync(from, 'utf8')));
};
for (const p of API) copy(path.join(apiDir, p, 'generated.proto'), path.join(out, 'k8s.io/api', p, 'generated.proto'));
for (const p of MACHINERY) copy(path.join(machineryDir, p, 'generated.proto'), path.join(out, 'k8s.io/apimachinery', p, 'generated.proto'));
