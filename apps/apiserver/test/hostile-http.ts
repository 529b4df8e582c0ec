// Raw HTTP for the hostile-input tests: bodies sent byte for byte (fetch refuses some of them, and gives up on a
// response when the server stops reading an oversized body), and the one assertion every refusal must pass.
import http from 'node:http';
import assert from 'node:assert/strict';

const UPLOAD_LIMIT = 3 * 1024 * 1024;

export interface RawRes { status: number; headers: http.IncomingHttpHeaders; text: string; body: any }

/** One request on its own connection; a write error after the server answered (413 mid-upload) is ignored. */
export function rawRequest(url: string, method: string, path: string, opts: { body?: string | Buffer; contentType?: string; headers?: Record<string, string> } = {}): Promise<RawRes> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string | number> = { ...opts.headers, connection: 'close' };
    if (opts.body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(opts.body);
    }
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any = text;
        try { body = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        req.destroy();
      });
      res.on('error', reject);
    });
    let answered = false;
    req.on('response', () => { answered = true; });
    req.on('error', (e) => { if (!answered) reject(e); });
    // A body over the server's limit is announced but never sent: the server must refuse it from Content-Length
    // alone, and a half-written upload would race its answer with EPIPE.
    if (opts.body !== undefined && Buffer.byteLength(opts.body) > UPLOAD_LIMIT) req.flushHeaders();
    else if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

/** A refusal is a Kubernetes Status in JSON whose code is the HTTP code. */
export function assertStatus(r: RawRes, code: number, reason?: string): void {
  const what = `HTTP ${r.status}: ${r.text.slice(0, 400)}`;
  assert.equal(r.status, code, what);
  assert.match(String(r.headers['content-type']), /^application\/json/, what);
  assert.equal(r.body?.kind, 'Status', what);
  assert.equal(r.body.apiVersion, 'v1', what);
  assert.equal(r.body.status, 'Failure', what);
  assert.equal(r.body.code, code, what);
  assert.equal(typeof r.body.message, 'string', what);
  assert.equal(typeof r.body.reason, 'string', what);
  if (reason) assert.equal(r.body.reason, reason, what);
}
