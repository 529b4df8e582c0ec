// What the agent's long-lived helper processes on pipes (the spawner, podling-nsexec --serve) share: reading their
// answers line by line, holding the agent's event loop only while a request is unanswered, and ending them.
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Calls `onLine` with each complete line `stream` writes (without the newline). */
export function onLines(stream: Readable, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      onLine(line);
    }
  });
}

/** Like ChildProcess.ref()/unref(), for the process and every pipe it has. */
export function refChild(proc: ChildProcess, on: boolean): void {
  for (const h of [proc, proc.stdout, proc.stdin, proc.stderr]) {
    const handle = h as unknown as { ref(): void; unref(): void } | null;
    if (on) handle?.ref(); else handle?.unref();
  }
}

/** Ends a helper by closing its stdin or by `signal`, and resolves once it exited (SIGKILL after `waitMs`). */
export async function endChild(proc: ChildProcess | undefined, how: 'eof' | NodeJS.Signals, waitMs: number): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('close', () => r()));
  if (how === 'eof') proc.stdin!.end(); else proc.kill(how);
  const timer = setTimeout(() => proc.kill('SIGKILL'), waitMs);
  await exited;
  clearTimeout(timer);
}
