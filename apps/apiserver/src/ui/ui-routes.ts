// GET /ui/ (the page) and /ui/<file> (its assets, by exact name from ui-assets.ts). The page talks to the same API as
// any client; these routes only hand out files, which is why they are open without a token (auth-hook.ts).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { notFoundPath } from '../http/to-status-error.ts';
import { uiAssets } from './ui-assets.ts';

/** Everything the page loads comes from this server; the policy also keeps a future change from adding a CDN. */
const CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export function registerUi(app: FastifyInstance): void {
  const send = async (reply: FastifyReply, name: string) => {
    const file = (await uiAssets()).get(name);
    if (!file) return reply.code(404).type('application/json').send(JSON.stringify(notFoundPath().status));
    return reply
      .header('Content-Security-Policy', CSP)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', 'no-cache')
      .type(file.contentType)
      .send(file.body);
  };
  // The router ignores trailing slashes, so this is also /ui; the page links its assets by absolute path.
  app.get('/ui/', (_req, reply) => send(reply, 'index.html'));
  app.get<{ Params: { file: string } }>('/ui/:file', (req, reply) => send(reply, req.params.file));
}
