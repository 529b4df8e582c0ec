// grpc probes (k/k pkg/probe/grpc/grpc.go): grpc.health.v1.Health/Check with `service`, plaintext, to podIP:port.
// SERVING passes; anything else fails with the kubelet's texts. Like the kubelet, the connection must be up within
// the timeout ("failed to connect") before the call is made ("health rpc did not complete").
//
// @grpc/grpc-js does the HTTP/2 transport, framing and status trailers; it is loaded only when a grpc probe runs.
// The two health messages are tiny and encoded here (HealthCheckRequest{string service = 1},
// HealthCheckResponse{ServingStatus status = 1}), so no .proto loader is needed.
import type { ActionResult } from './probe-action.ts';
import { KUBE_VERSION } from './http-get-action.ts';

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const CHECK = '/grpc.health.v1.Health/Check';

/** HealthCheckRequest: field 1 (service), length-delimited; omitted when empty, as proto3 does. */
export function encodeCheckRequest(service: string): Buffer {
  const s = Buffer.from(service);
  if (s.length === 0) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from([0x0a]), varint(s.length), s]);
}

/** HealthCheckResponse.status (field 1, varint); 0 (UNKNOWN) when absent. */
export function decodeCheckResponse(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const key = b[i++];
    if (key === 0x08) return readVarint(b, i)[0];
    const wire = key & 7;
    if (wire === 0) i = readVarint(b, i)[1];
    else if (wire === 2) { const [len, at] = readVarint(b, i); i = at + len; } else break;
  }
  return 0;
}

export function statusName(n: number): string { return STATUS_NAMES[n] ?? String(n); }

/** grpc-go's codes.Code String(): UNAVAILABLE → Unavailable, PERMISSION_DENIED → PermissionDenied. */
const goCodeName = (name: string | undefined): string => (name ?? 'Unknown').toLowerCase().replace(/(?:^|_)(\w)/g, (_m, c: string) => c.toUpperCase());

export async function grpcAction(host: string, port: number, service: string, timeoutMs: number): Promise<ActionResult> {
  const grpc = await import('@grpc/grpc-js');
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const timeout = `${timeoutMs / 1000}s`;
  const deadline = Date.now() + timeoutMs;
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), { 'grpc.primary_user_agent': `kube-probe/${KUBE_VERSION}` });
  try {
    const connected = await new Promise<Error | undefined>((r) => client.waitForReady(deadline, r));
    if (connected) return { result: 'failure', output: `timeout: failed to connect service ${JSON.stringify(addr)} within ${timeout}: context deadline exceeded` };
    return await new Promise<ActionResult>((resolve) => {
      client.makeUnaryRequest(CHECK, encodeCheckRequest, decodeCheckResponse, service, new grpc.Metadata(), { deadline }, (err, status) => {
        if (err) {
          if (err.code === grpc.status.UNIMPLEMENTED) resolve({ result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}` });
          else if (err.code === grpc.status.DEADLINE_EXCEEDED) resolve({ result: 'failure', output: `timeout: health rpc did not complete within ${timeout}` });
          else resolve({ result: 'failure', output: `error: health rpc probe failed: rpc error: code = ${goCodeName(grpc.status[err.code])} desc = ${err.details}` });
        } else if (status !== 1) resolve({ result: 'failure', output: `service unhealthy (responded with ${JSON.stringify(statusName(status ?? 0))})` });
        else resolve({ result: 'success', output: 'service healthy' });
      });
    });
  } finally {
    client.close();
  }
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
  out.push(n);
  return Buffer.from(out);
}

function readVarint(b: Buffer, i: number): [number, number] {
  let n = 0;
  let shift = 0;
  while (i < b.length) {
    const byte = b[i++];
    n += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  return [n, i];
}
