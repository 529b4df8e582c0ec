// Issue 16: --storage-backend and the --etcd-* flags, their environment twins, and the problems reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../src/config.ts';

test('SQLite is the default backend; etcd3 takes servers, prefix, TLS files and a compaction interval', () => {
  assert.deepEqual(parseConfig([], {}).config!.storage, { backend: 'sqlite' });
  const { config } = parseConfig(['--storage-backend', 'etcd3', '--etcd-servers', 'https://10.0.0.1:2379, https://10.0.0.2:2379',
    '--etcd-cafile', 'ca.pem', '--etcd-certfile', 'c.pem', '--etcd-keyfile', 'k.pem'], { PODLING_ETCD_COMPACTION_INTERVAL: '10m' });
  assert.deepEqual(config!.storage, {
    backend: 'etcd3', servers: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379'], prefix: '/registry', compactionIntervalMs: 600_000,
    caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem',
  });
  const plain = parseConfig(['--storage-backend=etcd3', '--etcd-servers=http://127.0.0.1:2379', '--etcd-prefix=/podling', '--etcd-compaction-interval=0'], {});
  assert.deepEqual(plain.config!.storage, {
    backend: 'etcd3', servers: ['http://127.0.0.1:2379'], prefix: '/podling', compactionIntervalMs: 0,
    caFile: undefined, certFile: undefined, keyFile: undefined,
  });
});

const bad: [string, string[], RegExp][] = [
  ['an unknown backend', ['--storage-backend', 'postgres'], /--storage-backend: must be sqlite or etcd3, got "postgres"/],
  ['etcd3 without servers', ['--storage-backend', 'etcd3'], /--etcd-servers: required with --storage-backend etcd3/],
  ['a server that is not a URL with a port', ['--storage-backend', 'etcd3', '--etcd-servers', '127.0.0.1:2379'], /"127.0.0.1:2379" is not an http:\/\/ or https:\/\/ URL with a port/],
  ['a certificate without its key', ['--storage-backend', 'etcd3', '--etcd-servers', 'https://e:2379', '--etcd-certfile', 'c.pem'], /--etcd-certfile and --etcd-keyfile go together/],
  ['TLS files for http:// servers', ['--storage-backend', 'etcd3', '--etcd-servers', 'http://e:2379', '--etcd-cafile', 'ca.pem'], /need https:\/\/ --etcd-servers/],
  ['etcd servers with the SQLite backend', ['--etcd-servers', 'http://e:2379'], /--etcd-servers: only with --storage-backend etcd3/],
  ['a prefix that is not a path', ['--storage-backend', 'etcd3', '--etcd-servers', 'http://e:2379', '--etcd-prefix', 'registry'], /--etcd-prefix: must start with \//],
  ['a bad compaction interval', ['--storage-backend', 'etcd3', '--etcd-servers', 'http://e:2379', '--etcd-compaction-interval', 'soon'], /--etcd-compaction-interval: time: invalid duration/],
];
for (const [what, argv, problem] of bad) {
  test(`config refuses ${what}`, () => {
    const { config, problems } = parseConfig(argv, {});
    assert.equal(config, undefined);
    assert.match(problems.join('\n'), problem);
  });
}
