// `podling-apiserver --generate-certs DIR [--hosts a,b] [--nodes n1,n2] [--server https://HOST:6443[,https://HOST2:6443]]`:
// write the credentials of a secured cluster (certs.ts; several --server URLs for several apiservers) and print how
// to use them, then exit.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseServers } from '@podling/client';
import { generateCerts, validateCertOptions } from './certs.ts';

export const defaultServer = 'https://127.0.0.1:6443';

export interface GenerateCertsIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIo: GenerateCertsIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/**
 * Runs the command for `args` (the process arguments after the script, containing --generate-certs) and returns
 * the exit code: 0 on success, 2 for bad arguments (all problems are reported at once), 1 when writing failed.
 */
export async function runGenerateCerts(args: string[], io: GenerateCertsIo = consoleIo): Promise<number> {
  let values: { 'generate-certs'?: string; hosts?: string; nodes?: string; server?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'generate-certs': { type: 'string' },
        hosts: { type: 'string' },
        nodes: { type: 'string' },
        server: { type: 'string' },
      },
      strict: false,
      allowPositionals: true,
    }) as { values: typeof values });
  } catch (e) {
    io.err(`--generate-certs: ${(e as Error).message}`);
    return 2;
  }
  const dir = values['generate-certs'];
  const problems: string[] = [];
  if (typeof dir !== 'string' || dir === '') problems.push('--generate-certs needs a directory: --generate-certs DIR');
  for (const flag of ['hosts', 'nodes', 'server'] as const) {
    if (values[flag] !== undefined && typeof values[flag] !== 'string') problems.push(`--${flag} needs a value`);
  }
  const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
  const opts = problems.length > 0 ? undefined
    : { hosts: list(values.hosts), nodes: list(values.nodes), server: values.server ?? defaultServer };
  if (opts) problems.push(...validateCertOptions(opts));
  if (!opts || problems.length > 0) {
    for (const p of problems) io.err(p);
    return 2;
  }
  const absDir = path.resolve(dir!);
  try {
    const result = await generateCerts({ dir: absDir, ...opts });
    io.out(`wrote ${result.files.length} files to ${absDir} (server certificate for ${result.hosts.join(', ')})`);
    for (const f of result.files) io.out(`  ${f}`);
    const port = new URL(parseServers(opts.server)[0]).port || '443';
    io.out('start the apiserver with:');
    io.out(`  podling-apiserver --port ${port} --tls-cert-file ${path.join(absDir, 'apiserver.crt')} ` +
      `--tls-private-key-file ${path.join(absDir, 'apiserver.key')} --token-auth-file ${path.join(absDir, 'tokens.csv')} ` +
      `--kubelet-client-certificate ${path.join(absDir, 'apiserver-kubelet-client.crt')} --kubelet-client-key ${path.join(absDir, 'apiserver-kubelet-client.key')} ` +
      `--kubelet-certificate-authority ${path.join(absDir, 'ca.crt')}`);
    for (const n of opts.nodes) {
      io.out(`start the agent of node ${n} with:`);
      io.out(`  podling-kubelet --node-name ${n} --kubeconfig ${path.join(absDir, `node-${n}.kubeconfig`)} ` +
        `--tls-cert-file ${path.join(absDir, `kubelet-${n}.crt`)} --tls-private-key-file ${path.join(absDir, `kubelet-${n}.key`)} --client-ca-file ${path.join(absDir, 'ca.crt')}`);
    }
    io.out(`and use it with: KUBECONFIG=${path.join(absDir, 'admin.kubeconfig')} kubectl get pods`);
    return 0;
  } catch (e) {
    io.err(`--generate-certs: ${(e as Error).message}`);
    return 1;
  }
}
