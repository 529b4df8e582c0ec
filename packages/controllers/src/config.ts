// Flags of podling-controller-manager, each with a PODLING_<FLAG> environment twin (the flag wins). Every problem
// is reported at once; main.ts prints them and exits 2. Only this module and main.ts read process.env.
import { parseArgs } from 'node:util';
import { serverListProblems } from '@podling/client';
import { CONTROLLER_OPTIONS, parseControllerFlags, type ControllerFlags } from './controller-flags.ts';

/** ControllerFlags' leaderElection false: run the controllers without a Lease. */
export interface ControllerManagerConfig extends ControllerFlags {
  server: string;
  token?: string;
  kubeconfig?: string;
  insecureSkipTlsVerify: boolean;
  logLevel: string;
}

const options = {
  server: { type: 'string', default: 'http://127.0.0.1:8080' },
  token: { type: 'string' },
  kubeconfig: { type: 'string' },
  'insecure-skip-tls-verify': { type: 'boolean', default: false },
  ...CONTROLLER_OPTIONS,
  'log-level': { type: 'string', default: 'info' },
  help: { type: 'boolean', default: false },
} as const;

const envName = (flag: string): string => `PODLING_${flag.toUpperCase().replace(/-/g, '_')}`;

export function usage(): string {
  return 'Usage: podling-controller-manager --server URL [--token T | --kubeconfig FILE] [flags]\n' + Object.entries(options)
    .map(([k, o]) => `  --${k}${o.type === 'string' ? ' VALUE' : ''}${'default' in o ? `  (default ${JSON.stringify(o.default)})` : ''}   env ${envName(k)}`)
    .join('\n');
}

export function parseConfig(argv: string[], env: Record<string, string | undefined>): { config?: ControllerManagerConfig; problems: string[]; help: boolean } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    return { problems: [(e as Error).message], help: false };
  }
  const problems: string[] = [];
  const explicit = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
  for (const [k, o] of Object.entries(options)) {
    const ev = env[envName(k)];
    if (ev !== undefined && !explicit.has(k)) values[k] = o.type === 'boolean' ? ev === 'true' || ev === '1' : ev;
  }
  const str = (k: keyof typeof options) => values[k] as string | undefined;
  const server = str('server')!;
  problems.push(...serverListProblems('--server', server));
  const config: ControllerManagerConfig = {
    server, token: str('token'), kubeconfig: str('kubeconfig'), insecureSkipTlsVerify: values['insecure-skip-tls-verify'] === true,
    ...parseControllerFlags(str, problems),
    logLevel: str('log-level')!,
  };
  return { config: problems.length ? undefined : config, problems, help: values.help === true };
}
