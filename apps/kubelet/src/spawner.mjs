// The agent's spawner: a small plain-JavaScript Node process (no tsx, no dependencies) that does the agent's
// blocking process and file work. spawn() is synchronous and its cost grows with the parent's RSS (fork copies the
// page tables: ~0.7 ms + ~33 ms per GB), and creating inodes is the costly part of a pod's sandbox (on a busy ext4
// far more than the syscall suggests): done here, neither blocks the agent's event loop or queues in its thread pool.
//
// Protocol: one JSON object per line.
//   stdin  ← {"id":1,"file":"/bin/sh","argv":["-c",…],"env":{…}}          start a child
//   stdout → {"id":1,"pid":123,"procStart":456} | {"id":1,"error":"…"}  (procStart: /proc/<pid>/stat field 22)
//   stdout → {"exit":123,"code":0,"signal":null}                        (once per started child, after its answer)
//   stdin  ← {"id":2,"paths":{"dirs":[…],"fifos":[…]}}                 create what is missing: mkdir -p,
//   stdout → {"id":2,"code":0,"stderr":""} | {"id":2,"error":"…"}       mkfifo -m 0600 (its code, stderr)
//
// Children are started `detached` (their own session and process group) with stdio ignored, so they outlive this
// process. When stdin ends (the agent stopped or died, even by SIGKILL), the spawner exits and its children are
// re-parented: the agent finds them again through its records and follows them by polling /proc.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';

const out = [];
let flushQueued = false;

function send(msg) {
  out.push(JSON.stringify(msg));
  if (!flushQueued) {
    flushQueued = true;
    setImmediate(() => {
      flushQueued = false;
      process.stdout.write(`${out.join('\n')}\n`);
      out.length = 0;
    });
  }
}

function procStart(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return 0;
  }
}

function start(req) {
  let child;
  try {
    child = spawn(req.file, req.argv, { env: req.env, cwd: '/', detached: true, stdio: 'ignore' });
  } catch (err) {
    send({ id: req.id, error: `cannot start ${req.file}: ${err.message}` });
    return;
  }
  child.on('error', () => {}); // a failed spawn (ENOENT…) leaves pid undefined: answered below
  const pid = child.pid;
  if (pid === undefined) {
    send({ id: req.id, error: `cannot start the container wrapper (${req.file})` });
    return;
  }
  send({ id: req.id, pid, procStart: procStart(pid) });
  child.once('exit', (code, signal) => send({ exit: pid, code, signal }));
}

async function makePaths(req) {
  const { dirs = [], fifos = [] } = req.paths;
  try {
    await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
  } catch (err) {
    send({ id: req.id, error: err.message });
    return;
  }
  const missing = fifos.filter((f) => !existsSync(f));
  if (missing.length === 0) { send({ id: req.id, code: 0, stderr: '' }); return; }
  const stderr = await mkfifos(missing);
  // mkfifo goes on after a failing path, so a batch's failure is only this request's if one of its FIFOs is missing.
  if (missing.every((f) => existsSync(f))) send({ id: req.id, code: 0, stderr: '' });
  else send({ id: req.id, code: 1, stderr });
}

// Node has no mkfifo(3): coreutils' mkfifo runs, one at a time, for every FIFO requested while the previous one ran.
const fifoQueue = [];
let fifoRunning = false;

function mkfifos(paths) {
  return new Promise((resolve) => {
    fifoQueue.push({ paths, resolve });
    if (!fifoRunning) runMkfifo();
  });
}

function runMkfifo() {
  const batch = fifoQueue.splice(0);
  if (batch.length === 0) return;
  fifoRunning = true;
  execFile('mkfifo', ['-m', '0600', ...batch.flatMap((b) => b.paths)], { timeout: 30_000 }, (err, _stdout, stderr) => {
    fifoRunning = false;
    for (const b of batch) b.resolve(err ? String(stderr).slice(0, 4096) || err.message : '');
    runMkfifo();
  });
}

let partial = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  partial += chunk;
  let nl;
  while ((nl = partial.indexOf('\n')) >= 0) {
    const line = partial.slice(0, nl);
    partial = partial.slice(nl + 1);
    if (!line) continue;
    const req = JSON.parse(line);
    if (req.paths) void makePaths(req); else start(req);
  }
});
process.stdin.on('end', () => process.exit(0));
process.stdout.on('error', () => process.exit(0)); // EPIPE: the agent is gone
// Ctrl-C in a terminal signals the whole foreground group: the agent decides when the spawner ends (stdin).
process.on('SIGINT', () => {});
