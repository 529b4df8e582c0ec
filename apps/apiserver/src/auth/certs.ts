// Everything a small secured cluster needs, in one directory: a CA, a serving certificate signed by it, a static
// token file with an admin and one identity per node, and a kubeconfig for each of them; for the apiserver → agent
// link, the apiserver's client certificate and a serving certificate per node.
//
// ECDSA P-256 keys (fast to generate, accepted by Go's TLS stack and Node's). The serving certificate lists every
// host as a subjectAltName: Go clients such as kubectl ignore the CN, and an IP must be an IP SAN, not a DNS one.
import { randomBytes, randomUUID, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type * as X509 from '@peculiar/x509';
import { parseServers } from '@podling/client';
import { kubeconfigYaml } from './kubeconfig.ts';
import { groups, nodeUserName } from './user-info.ts';

/**
 * @peculiar/x509 needs a Reflect metadata polyfill loaded before it (its dependency injection container checks at
 * import). Both are loaded on first use, so an apiserver that only serves never installs the global polyfill.
 */
async function loadX509(): Promise<typeof X509> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  return x509;
}

export interface GenerateCertsOptions {
  dir: string;
  /** DNS names and IP addresses of the server; 127.0.0.1, localhost and every --server host are always added. */
  hosts: string[];
  nodes: string[];
  /** The https:// URL written into every kubeconfig, or the comma-separated URLs of several apiservers: one
   *  serving certificate names them all, and the kubeconfigs list them all. */
  server: string;
  /** Defaults to now; certificates are valid from an hour before it, for clock skew. */
  now?: Date;
}

export interface GeneratedCerts {
  files: string[];
  /** The SANs of the serving certificate. */
  hosts: string[];
  adminToken: string;
  nodeTokens: Record<string, string>;
}

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const hour = 3600_000;
const day = 24 * hour;
/** The CN agents require of the apiserver's client certificate (kubeadm's apiserver-kubelet-client). */
export const KUBELET_CLIENT_CN = 'kube-apiserver-kubelet-client';
const nodeNamePattern = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export async function generateCerts(opts: GenerateCertsOptions): Promise<GeneratedCerts> {
  const problems = validateCertOptions(opts);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const hosts = sans(opts);
  const x509 = await loadX509();
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - hour);

  const caKeys = await generateKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: 'CN=podling-ca', keys: caKeys, signingAlgorithm: alg,
    notBefore, notAfter: new Date(now.getTime() + 3650 * day),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  // Leaf certificates signed by the CA: the apiserver's serving certificate (every host as a SAN), its client
  // certificate for agents (kubeadm's apiserver-kubelet-client), and one serving certificate per agent naming its
  // node, which the apiserver checks before it talks to that node's agent.
  const issue = async (cn: string, usage: 'serverAuth' | 'clientAuth', names: string[]): Promise<[string, string]> => {
    const keys = await generateKeys();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(), subject: `CN=${cn}${usage === 'clientAuth' ? `, O=${groups.masters}` : ''}`, issuer: ca.subject,
      publicKey: keys.publicKey, signingKey: caKeys.privateKey, signingAlgorithm: alg,
      notBefore, notAfter: new Date(now.getTime() + 365 * day),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([usage === 'serverAuth' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
        ...(names.length ? [new x509.SubjectAlternativeNameExtension(names.map((h): X509.JsonGeneralName => ({ type: isIP(h) ? 'ip' : 'dns', value: h })))] : []),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(ca),
      ],
    });
    return [cert.toString('pem') + '\n', await privateKeyPem(keys.privateKey)];
  };
  const [serverCrt, serverKey] = await issue('podling-apiserver', 'serverAuth', hosts);
  const [clientCrt, clientKey] = await issue(KUBELET_CLIENT_CN, 'clientAuth', []);
  const kubeletCerts = await Promise.all(opts.nodes.map((n) => issue(n, 'serverAuth', [n])));

  const caPem = ca.toString('pem') + '\n';
  const adminToken = token();
  const nodeTokens = Object.fromEntries(opts.nodes.map((n) => [n, token()]));
  const tokenLines = [
    `${adminToken},admin,${randomUUID()},"${groups.masters}"`,
    ...opts.nodes.map((n) => `${nodeTokens[n]},${nodeUserName(n)},${randomUUID()},"${groups.nodes}"`),
  ];

  // [file name, contents, secret]
  const outputs: [string, string, boolean][] = [
    ['ca.crt', caPem, false],
    ['ca.key', await privateKeyPem(caKeys.privateKey), true],
    ['apiserver.crt', serverCrt, false],
    ['apiserver.key', serverKey, true],
    ['apiserver-kubelet-client.crt', clientCrt, false],
    ['apiserver-kubelet-client.key', clientKey, true],
    ...opts.nodes.flatMap((n, i): [string, string, boolean][] => [[`kubelet-${n}.crt`, kubeletCerts[i][0], false], [`kubelet-${n}.key`, kubeletCerts[i][1], true]]),
    ['tokens.csv', tokenLines.join('\n') + '\n', true],
    ['admin.kubeconfig', kubeconfigYaml({ server: opts.server, caPem, user: 'admin', token: adminToken }), true],
    ...opts.nodes.map((n): [string, string, boolean] =>
      [`node-${n}.kubeconfig`, kubeconfigYaml({ server: opts.server, caPem, user: nodeUserName(n), token: nodeTokens[n] }), true]),
  ];
  const existing = outputs.map(([f]) => path.join(opts.dir, f)).filter((f) => existsSync(f));
  if (existing.length > 0) throw new Error(`refusing to overwrite existing credentials: ${existing.join(', ')}`);

  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const files: string[] = [];
  for (const [name, contents, secret] of outputs) {
    const file = path.join(opts.dir, name);
    // 'wx' fails rather than follow a file that appeared since the check above.
    writeFileSync(file, contents, { mode: secret ? 0o600 : 0o644, flag: 'wx' });
    files.push(file);
  }
  return { files, hosts, adminToken, nodeTokens };
}

/** Everything wrong with the options, one sentence each; generateCerts throws with all of them. */
export function validateCertOptions(opts: Pick<GenerateCertsOptions, 'hosts' | 'nodes' | 'server'>): string[] {
  const problems: string[] = [];
  const servers = parseServers(opts.server);
  if (servers.length === 0) problems.push('--server needs at least one https:// URL');
  for (const s of servers) {
    let url: URL | undefined;
    try { url = new URL(s); } catch { problems.push(`--server ${JSON.stringify(s)} is not a URL`); }
    if (url && url.protocol !== 'https:') {
      problems.push(`--server must be an https:// URL (kubectl sends no token to http:// servers), got ${JSON.stringify(s)}`);
    }
  }
  for (const n of opts.nodes) {
    if (!nodeNamePattern.test(n)) problems.push(`node name ${JSON.stringify(n)} is not a lowercase DNS subdomain`);
  }
  if (new Set(opts.nodes).size !== opts.nodes.length) problems.push('node names must be unique');
  for (const h of opts.hosts) {
    if (h === '' || /[\s,/]/.test(h)) problems.push(`host ${JSON.stringify(h)} is neither an IP address nor a DNS name`);
  }
  return problems;
}

/** The server certificate's SANs: the given hosts, every --server host, 127.0.0.1 and localhost, deduplicated. All
 *  apiservers of a cluster share the certificate, so a client that fails over to another still trusts it. */
function sans(opts: Pick<GenerateCertsOptions, 'hosts' | 'server'>): string[] {
  const serverHosts = parseServers(opts.server).map((s) => new URL(s).hostname.replace(/^\[|\]$/g, ''));
  return [...new Set(['127.0.0.1', 'localhost', ...serverHosts, ...opts.hosts].map((h) => h.toLowerCase()))];
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

/** A positive 128-bit serial (RFC 5280 requires positive; Go rejects negative ones). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** 256 random bits, hex: no CSV or YAML quoting needed. */
function token(): string {
  return randomBytes(32).toString('hex');
}
