// Kubernetes' channel protocol over a websocket (v5.channel.k8s.io / v4.channel.k8s.io; apimachinery
// pkg/util/httpstream/wsstream/conn.go, pkg/util/remotecommand/constants.go): one binary message per write, first
// byte the channel — 0 stdin, 1 stdout, 2 stderr, 3 error (a metav1.Status as JSON), 4 resize — and, in v5 only,
// `[255, n]` from the client to half-close channel n. The server never sends 255 or 4 (client-node throws on them).
// A session ends with the Status on channel 3 and a close frame 1000; kubectl reads channel 3 until then.
import type { WebSocket } from 'ws';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export interface TerminalSize { cols: number; rows: number }

/** A metav1.Status as the error channel carries it: no kind/apiVersion, `metadata: {}`. */
export interface ChannelStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes: { reason?: string; message: string }[] };
}

export const SUCCESS: ChannelStatus = { metadata: {}, status: 'Success' };

/** The Status for a non-zero exit: kubectl prints `command terminated with exit code N` and exits N. */
export function exitStatus(code: number): ChannelStatus {
  if (code === 0) return SUCCESS;
  return {
    metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
    message: `command terminated with non-zero exit code: error executing command, exit status ${code}`,
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** kube's InternalError Status (kubectl prints `error: Internal error occurred: <message>`). */
export function internalError(message: string): ChannelStatus {
  return {
    metadata: {}, status: 'Failure', reason: 'InternalError', code: 500,
    message: `Internal error occurred: ${message}`, details: { causes: [{ message }] },
  };
}

export function frame(channel: number, data: Buffer | string = Buffer.alloc(0)): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), payload]);
}

/** Writes the Status on channel 3, then closes normally once it is flushed. */
export function finish(ws: WebSocket, status: ChannelStatus): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(frame(ERROR, JSON.stringify(status)), () => ws.close(1000));
}

/**
 * Parses resize messages: kubectl sends `{"Width":101,"Height":33}\n`, client-node `{"height":33,"width":101}`;
 * Go's decoder matches names case-insensitively and reads a stream of objects, so this does both.
 */
export function parseResize(text: string): TerminalSize[] {
  const out: TerminalSize[] = [];
  for (const m of text.matchAll(/\{[^{}]*\}/g)) {
    try {
      const obj = JSON.parse(m[0]) as Record<string, unknown>;
      const get = (k: string) => Number(Object.entries(obj).find(([key]) => key.toLowerCase() === k)?.[1]);
      const cols = get('width');
      const rows = get('height');
      if (Number.isInteger(cols) && Number.isInteger(rows) && cols > 0 && rows > 0 && cols < 65536 && rows < 65536) out.push({ cols, rows });
    } catch { /* not JSON: ignored, as a malformed resize is by the kubelet */ }
  }
  return out;
}
