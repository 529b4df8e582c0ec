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
//   stdin  ← {"id":3,"run":{"file":…,"argv":[…],"env":{…},"timeoutMs":1000,"maxOutput":10240}}
//   stdout → {"id":3,"ran":{"code":1,"signal":null,"output":"…","timedOut":false}} | {"id":3,"error":"…"}
//            run to completion, stdout+stderr combined and capped, its group SIGKILLed at the timeout (0: none)
//   stdin  ← {"kill":3}                                                 SIGKILL run 3's process group now
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

// Commands run inside containers (exec probes, exec hooks): forked here for the same reason as containers, and
// killed as a group, so a probe's `sh -c 'sleep 9'` does not outlive its timeout.
const runs = new Map();

function run(req) {
  const { file, argv, env, timeoutMs, maxOutput } = req.run;
  let child;
  try {
    child = spawn(file, argv, { env, cwd: '/', detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    send({ id: req.id, error: `cannot run ${file}: ${err.message}` });
    return;
  }
  const chunks = [];
  let size = 0;
  const take = (b) => { if (size < maxOutput) chunks.push(b.subarray(0, maxOutput - size)); size += b.length; };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  let timedOut = false;
  let answered = false;
  const kill = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; kill(); }, timeoutMs) : undefined;
  const answer = (msg) => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    runs.delete(req.id);
    send({ id: req.id, ...msg });
  };
  runs.set(req.id, kill);
  child.on('error', (err) => answer({ error: `cannot run ${file}: ${err.message}` }));
  child.on('close', (code, signal) => answer({ ran: { code, signal, output: Buffer.concat(chunks).toString(), timedOut } }));
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
    if (req.kill !== undefined) runs.get(req.kill)?.();
    else if (req.run) run(req);
    else if (req.paths) void makePaths(req);
    else start(req);
  }
});
process.stdin.on('end', () => process.exit(0));
process.stdout.on('error', () => process.exit(0)); // EPIPE: the agent is gone
// Ctrl-C in a terminal signals the whole foreground group: the agent decides when the spawner ends (stdin).
process.on('SIGINT', () => {});
