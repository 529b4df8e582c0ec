// The authentication modes of registerAuth (the table at the top of auth-hook.ts), through fastify's inject().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fastify from 'fastify';
import { registerAuth, type AuthOptions } from '../src/auth/auth-hook.ts';
import { parseTokenFile } from '../src/auth/token-file.ts';

const tokens = parseTokenFile('admin-t,admin,1,system:masters\nbob-t,bob,2\nn1-t,system:node:n1,3,system:nodes\n');

function build(opts: Partial<AuthOptions>) {
  const app = fastify();
  registerAuth(app, { anonymous: false, ...opts });
  const who = async (req: { user: { name: string; groups: string[] } }) => ({ user: req.user.name, groups: req.user.groups });
  app.get('/version', who);
  app.get('/healthz', who);
  app.get('/api', who);
  app.get('/api/v1/pods', who);
  app.delete('/api/v1/namespaces/default/pods/:name', who);
  return app;
}

type Case = [string, Partial<AuthOptions>, string, string, string | undefined, number, string?];
const cases: Case[] = [
  ['without a token file, anonymous requests are an administrator', { anonymous: true }, 'DELETE', '/api/v1/namespaces/default/pods/x', undefined, 200, 'system:anonymous'],
  ['without a token file, a presented token is ignored', { anonymous: true }, 'GET', '/api/v1/pods', 'whatever', 200, 'system:anonymous'],
  ['without a token file or anonymous, every resource request is 401', { anonymous: false }, 'GET', '/api/v1/pods', undefined, 401],
  ['without a token file or anonymous, /healthz still answers', { anonymous: false }, 'GET', '/healthz', undefined, 200],
  ['with tokens, a missing token is 401', { tokens }, 'GET', '/api/v1/pods', undefined, 401],
  ['with tokens, discovery needs a token', { tokens }, 'GET', '/api', undefined, 401],
  ['with tokens, /version needs none', { tokens }, 'GET', '/version', undefined, 200, 'system:anonymous'],
  ['with tokens, a bad token on /healthz is still answered', { tokens }, 'GET', '/healthz', 'bad', 200, 'system:anonymous'],
  ['with tokens, a valid token is its user', { tokens }, 'GET', '/api/v1/pods', 'bob-t', 200, 'bob'],
  ['with tokens, a reader may not delete', { tokens }, 'DELETE', '/api/v1/namespaces/default/pods/x', 'bob-t', 403],
  ['with tokens, an admin may delete', { tokens }, 'DELETE', '/api/v1/namespaces/default/pods/x', 'admin-t', 200, 'admin'],
  ['with tokens and anonymous, a missing token may read discovery', { tokens, anonymous: true }, 'GET', '/api', undefined, 200, 'system:anonymous'],
  ['with tokens and anonymous, a missing token may not list pods', { tokens, anonymous: true }, 'GET', '/api/v1/pods', undefined, 403],
  ['with tokens and anonymous, a bad token is still 401', { tokens, anonymous: true }, 'GET', '/api', 'bad', 401],
  ['an unrouted path is authorized before it is a 404', { tokens }, 'GET', '/api/v1/secrets', undefined, 401],
];

for (const [behaviour, opts, method, url, token, status, user] of cases) {
  test(`registerAuth: ${behaviour}`, async () => {
    const app = build(opts);
    const res = await app.inject({ method: method as 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
    assert.equal(res.statusCode, status, res.body);
    if (user) assert.equal(res.json().user, user);
    if (status >= 400) {
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.json().kind, 'Status');
      assert.equal(res.json().code, status);
    }
    await app.close();
  });
}

