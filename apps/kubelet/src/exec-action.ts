// exec probes (k/k pkg/probe/exec/exec.go): the command runs inside the container (as `kubectl exec` would, see
// container-exec.ts) with the probe's timeout. Exit 0 passes, anything else fails with the combined
// stdout+stderr (up to 10 KiB) as the event text; a timeout fails with `command "<argv>" timed out`
// (ExecProbeTimeout, on by default). A command that cannot be run at all is a probe error.
import type { ActionResult } from './probe-action.ts';
import { ProbeError } from './probe-action.ts';

export interface ExecOutcome { code: number | null; output: string; timedOut: boolean }

/** Runs argv inside the probed container; rejects when it cannot be run at all. */
export type ContainerExec = (argv: string[], opts: { timeoutMs?: number; signal?: AbortSignal }) => Promise<ExecOutcome>;

export const EXEC_MAX_OUTPUT = 10 * 1024;

export async function execAction(argv: string[], exec: ContainerExec, timeoutMs: number): Promise<ActionResult> {
  let r: ExecOutcome;
  try {
    r = await exec(argv, { timeoutMs });
  } catch (err) {
    throw new ProbeError((err as Error).message);
  }
  if (r.timedOut) return { result: 'failure', output: `command ${JSON.stringify(argv.join(' '))} timed out` };
  return { result: r.code === 0 ? 'success' : 'failure', output: r.output };
}
