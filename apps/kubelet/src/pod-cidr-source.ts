// Where the node's pod range comes from: the agent's --pod-cidr when given (standalone use, tests; it wins, as the
// flag is the operator's word), else the Node's spec.podCIDR, which the control plane's allocator sets after
// registration and never changes once set (ValidateNodeUpdate). Until it is known, the Node is read again every
// POLL_MS; once known, nothing more is read.
import type { Node } from '@podling/api';
import { PodCidr } from './pod-cidr.ts';
import type { Logger } from './logger.ts';

const POLL_MS = 1000;

export class PodCidrSource {
  private cidr: PodCidr | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly listeners: (() => void)[] = [];

  constructor(flag: string | undefined, private readonly readNode: () => Promise<Node>, private readonly log: Logger) {
    if (flag) this.cidr = PodCidr.parse(flag);
  }

  /** The node's pod range, once known. */
  get current(): PodCidr | undefined { return this.cidr; }

  /** Where the range comes from, for messages. */
  get origin(): string { return 'the Node\'s spec.podCIDR (set by the control plane), or the agent\'s --pod-cidr'; }

  /** Calls `fn` once the range is learnt from the Node (a --pod-cidr is known from the start). */
  onKnown(fn: () => void): void { this.listeners.push(fn); }

  start(): void {
    if (this.cidr || this.stopped) return;
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    try {
      const spec = (await this.readNode()).spec;
      const text = spec?.podCIDR ?? (spec as { podCIDRs?: string[] } | undefined)?.podCIDRs?.[0];
      if (text) {
        this.cidr = PodCidr.parse(text);
        this.log.info({ podCIDR: this.cidr.text }, 'pod range from the Node');
        for (const fn of this.listeners) fn();
        return;
      }
    } catch (err) {
      this.log.debug({ err }, 'cannot read the Node for its podCIDR yet');
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }
}
