// Reads and writes the standard kubeconfig YAML (the subset Podling uses: a server, a CA or
// insecure-skip-tls-verify, a bearer token). Relative file paths in a kubeconfig resolve against its directory,
// as kubectl resolves them.
//
// Several apiservers: `server:` holds one URL (kubectl and client-go take exactly one), so the whole list goes in a
// cluster extension, the kubeconfig's place for tool-specific data (minikube keeps its own there too), which
// kubectl carries along and ignores; Podling's clients read it and fail over along it (server-list.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseServers } from './server-list.ts';
import type { ClientOptions } from './types.ts';

export const SERVERS_EXTENSION = 'podling.io/apiservers';
interface NamedExtension { name: string; extension?: { servers?: unknown } }

/** The cluster entry's `server` and, for several apiservers (`server` comma-separated), the extension listing all. */
export function clusterServerFields(server: string): { server: string; extensions?: NamedExtension[] } {
  const urls = parseServers(server);
  if (urls.length <= 1) return { server: urls[0] ?? server };
  return { server: urls[0], extensions: [{ name: SERVERS_EXTENSION, extension: { servers: urls } }] };
}

interface Named<T> { name: string; [k: string]: unknown; cluster?: T; user?: T; context?: T }
interface ClusterEntry {
  server?: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string; 'insecure-skip-tls-verify'?: boolean;
  extensions?: NamedExtension[];
}
interface UserEntry { token?: string; tokenFile?: string }
interface ContextEntry { cluster?: string; user?: string; namespace?: string }
interface KubeconfigDoc {
  'current-context'?: string;
  clusters?: Named<ClusterEntry>[];
  users?: Named<UserEntry>[];
  contexts?: Named<ContextEntry>[];
}

/** ClientOptions plus the context's default namespace, if it names one. */
export type KubeconfigOptions = ClientOptions & { namespace?: string };

/** Resolves `context` (default: current-context) to ClientOptions. Throws with the file path on anything missing. */
export function loadKubeconfig(file: string, context?: string): KubeconfigOptions {
  const dir = path.dirname(path.resolve(file));
  const doc = (YAML.parse(readFileSync(file, 'utf8')) ?? {}) as KubeconfigDoc;
  const fail = (what: string): never => { throw new Error(`kubeconfig ${file}: ${what}`); };
  const ctxName = context ?? doc['current-context'] ?? fail('no current-context and no context given');
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context ?? fail(`context ${JSON.stringify(ctxName)} not found`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster ?? fail(`cluster ${JSON.stringify(ctx.cluster)} not found`);
  const user: UserEntry = ctx.user ? (doc.users?.find((u) => u.name === ctx.user)?.user ?? fail(`user ${JSON.stringify(ctx.user)} not found`)) : {};
  const listed = cluster.extensions?.find((e) => e.name === SERVERS_EXTENSION)?.extension?.servers;
  const server = Array.isArray(listed) && listed.length > 0 && listed.every((u) => typeof u === 'string') ? listed.join(',')
    : cluster.server ?? fail(`cluster ${JSON.stringify(ctx.cluster)} has no server`);
  const resolve = (p: string) => path.resolve(dir, p);

  const opts: KubeconfigOptions = { server };
  if (cluster['certificate-authority-data']) opts.ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  else if (cluster['certificate-authority']) opts.ca = readFileSync(resolve(cluster['certificate-authority']), 'utf8');
  if (cluster['insecure-skip-tls-verify']) opts.insecureSkipTLSVerify = true;
  if (user.token) opts.token = user.token;
  else if (user.tokenFile) opts.token = readFileSync(resolve(user.tokenFile), 'utf8').trim();
  if (ctx.namespace) opts.namespace = ctx.namespace;
  return opts;
}

export interface KubeconfigSpec {
  /** One URL, or several comma-separated (clusterServerFields). */
  server: string;
  /** Embedded as certificate-authority-data. */
  caPem?: string;
  token?: string;
  insecureSkipTLSVerify?: boolean;
  /** Names of the user, cluster and context entries; cluster defaults to 'podling', context to `${user}@${cluster}`. */
  user: string;
  cluster?: string;
  context?: string;
  namespace?: string;
}

/** A single-context kubeconfig (current-context set) that kubectl and loadKubeconfig both accept. */
export function buildKubeconfig(spec: KubeconfigSpec): string {
  const cluster = spec.cluster ?? 'podling';
  const context = spec.context ?? `${spec.user}@${cluster}`;
  const clusterEntry: ClusterEntry = clusterServerFields(spec.server);
  if (spec.caPem) clusterEntry['certificate-authority-data'] = Buffer.from(spec.caPem, 'utf8').toString('base64');
  if (spec.insecureSkipTLSVerify) clusterEntry['insecure-skip-tls-verify'] = true;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: cluster, cluster: clusterEntry }],
    users: [{ name: spec.user, user: spec.token ? { token: spec.token } : {} }],
    contexts: [{ name: context, context: { cluster, user: spec.user, ...(spec.namespace ? { namespace: spec.namespace } : {}) } }],
    'current-context': context,
  };
  return YAML.stringify(doc);
}
