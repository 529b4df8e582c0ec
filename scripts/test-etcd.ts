// npm run test:etcd — the apiserver's API tests again, with every apiserver they start storing in etcd
// (PODLING_TEST_STORAGE=etcd3: testkit's startApiserver starts one etcd member per test process). Only the files
// that start an apiserver are run (the others never reach storage), and not those that check SQLite's own files.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DIR = 'apps/apiserver/test';
/** What these check is SQLite's: its log rows on disk, a WAL beside an emptied file. */
const SQLITE_ONLY = new Set(['crash-durability.test.ts', 'data-files-refusal.test.ts']);
/** Runs on its own 3-member etcd cluster in npm test already. */
const ETCD_ALREADY = new Set(['etcd-backend.test.ts']);

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.test.ts') && !SQLITE_ONLY.has(f) && !ETCD_ALREADY.has(f))
  .filter((f) => /startApiserver|useApiserver|kubectl-cli/.test(readFileSync(path.join(DIR, f), 'utf8')))
  .map((f) => path.join(DIR, f));
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit', env: { ...process.env, PODLING_TEST_STORAGE: 'etcd3' },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
