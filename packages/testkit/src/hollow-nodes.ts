// Starts `podling-kubelet --hollow-nodes N` (apps/kubelet/src/hollow-nodes.ts) for tests and benchmarks: N
// simulated nodes in one process, resolved once every node has registered and listed its pods.
import { startTs, type ManagedProcess } from './process.ts';

export interface RunningHollowNodes {
  count: number;
  /** Node i is `${prefix}-${i}`. */
  prefix: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startHollowNodes(opts: {
  server: string; count: number; prefix?: string; args?: string[]; env?: Record<string, string>; nodeArgs?: string[]; readyTimeoutMs?: number;
}): Promise<RunningHollowNodes> {
  const prefix = opts.prefix ?? 'hollow';
  const proc = startTs('apps/kubelet/src/main.ts', {
    args: ['--server', opts.server, '--node-name', prefix, '--hollow-nodes', String(opts.count), '--root-dir', '/nonexistent/podling-hollow', ...(opts.args ?? [])],
    env: { PODLING_LOG_LEVEL: 'info', ...opts.env },
    nodeArgs: opts.nodeArgs,
  });
  try {
    await proc.waitForLog((l) => l.msg === 'hollow nodes ready', opts.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await proc.stop(2000);
    throw err;
  }
  return { count: opts.count, prefix, process: proc, async stop() { await proc.stop(10_000); } };
}
