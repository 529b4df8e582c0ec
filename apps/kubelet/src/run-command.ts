// Runs a host tool (ip, nft) without a shell: argv as given, optional stdin, a bounded run time. Resolves with
// stdout; rejects with the tool's own error text (stderr), which callers match to tolerate "already gone".
import { execFile } from 'node:child_process';

const TIMEOUT_MS = 10_000;

export type RunCommand = (bin: string, args: string[], input?: string) => Promise<string>;

export const runCommand: RunCommand = (bin, args, input) => new Promise((resolve, reject) => {
  const child = execFile(bin, args, { timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
    if (err) reject(new Error(`${bin} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
    else resolve(String(stdout));
  });
  // A tool that exits without reading its stdin makes our write fail with EPIPE: its exit status tells the story.
  child.stdin?.on('error', () => {});
  child.stdin?.end(input);
});
