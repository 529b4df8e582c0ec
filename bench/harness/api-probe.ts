// Samples the apiserver while something else loads it: every `periodMs` one pod is created and deleted (two
// mutating calls, timed from send to answer), and the create's ADDED event is timed from sending the create to its
// arrival on a watch of all pods (watch delivery: the apiserver hands a commit to its watchers before it answers
// the request, so the event usually arrives first and the answer is no reference point). The probe pods name a scheduler that does not exist, so nothing
// binds or runs them and their deletion is immediate; the caller's pod view must skip them (isProbePod).
import type { Pod } from '@podling/api';
import type { KubeClient } from '@podling/client';
import { nowMs } from './percentiles.ts';

const PREFIX = 'api-probe-';
const ref = { resource: 'pods', namespace: 'default' };

export const isProbePod = (name: string | undefined): boolean => name?.startsWith(PREFIX) === true;

export class ApiProbe {
  readonly mutatingMs: number[] = [];
  readonly deliveryMs: number[] = [];
  errors = 0;
  private readonly sent = new Map<string, number>();
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly client: KubeClient, private readonly periodMs = 50) {}

  /** Feed every pod watch event here (the caller's watch of all pods). */
  seen(type: string, p: Pod): void {
    const name = p.metadata?.name;
    if (type !== 'ADDED' || !isProbePod(name)) return;
    const at = this.sent.get(name!);
    if (at === undefined) return;
    this.sent.delete(name!);
    this.deliveryMs.push(nowMs() - at);
  }

  start(): void {
    this.timer = setInterval(() => { this.inFlight ??= this.once().finally(() => { this.inFlight = undefined; }); }, this.periodMs);
  }

  /** Stops sampling and returns the samples taken since the last take. */
  async take(): Promise<{ mutatingMs: number[]; deliveryMs: number[]; errors: number }> {
    clearInterval(this.timer);
    await this.inFlight;
    const out = { mutatingMs: this.mutatingMs.splice(0), deliveryMs: this.deliveryMs.splice(0), errors: this.errors };
    this.errors = 0;
    return out;
  }

  private async once(): Promise<void> {
    const name = `${PREFIX}${this.seq++}`;
    try {
      let t = nowMs();
      this.sent.set(name, t);
      await this.client.create<Pod>(ref, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name },
        spec: { schedulerName: 'api-probe', containers: [{ name: 'c', image: 'none', command: ['true'] }] },
      });
      this.mutatingMs.push(nowMs() - t);
      t = nowMs();
      await this.client.delete(ref, name, { gracePeriodSeconds: 0 });
      this.mutatingMs.push(nowMs() - t);
    } catch {
      this.errors++;
    }
  }
}
