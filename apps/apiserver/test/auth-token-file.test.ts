import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '@podling/testkit';
import { loadTokenFile, parseTokenFile } from '../src/auth/token-file.ts';
import { authenticate } from '../src/auth/authenticate.ts';

test('token file: a record maps a token to its user, uid and quoted groups plus system:authenticated', () => {
  const tokens = parseTokenFile('t1,alice,u-1,"dev,ops"\n');
  assert.deepEqual(tokens.get('t1'), { name: 'alice', uid: 'u-1', groups: ['dev', 'ops', 'system:authenticated'] });
});

test('token file: the groups column is optional', () => {
  assert.deepEqual(parseTokenFile('t1,bob,u-2').get('t1')?.groups, ['system:authenticated']);
});

test('token file: blank lines, comments and CRLF line ends are ignored', () => {
  const tokens = parseTokenFile('# admin\r\n\r\nt1,admin,1,system:masters\r\n   \n# node\nt2,system:node:n1,2,system:nodes\n');
  assert.equal(tokens.size, 2);
  assert.deepEqual(tokens.get('t1')?.groups, ['system:masters', 'system:authenticated']);
});

test('token file: a doubled quote inside a quoted field is a literal quote', () => {
  assert.equal(parseTokenFile('t1,"say ""hi""",u').get('t1')?.name, 'say "hi"');
});

test('token file: system:authenticated is not added twice', () => {
  assert.deepEqual(parseTokenFile('t,a,u,"system:authenticated"').get('t')?.groups, ['system:authenticated']);
});

const malformed: [string, string, RegExp][] = [
  ['fewer than three columns', 'ok,a,u\nt2,bob\n', /line 2: expected at least 3 columns/],
  ['more than four columns', 't,a,u,g,extra', /line 1: expected at most 4 columns/],
  ['an unterminated quote', '# c\n\nt,a,u,"g1,g2\n', /line 3: unterminated quoted field/],
  ['text after a closing quote', 't,a,u,"g"x', /line 1: unexpected character after closing quote/],
  ['a bare quote in an unquoted field', 't,a"b,u', /line 1: bare quote/],
  ['an empty token', ',a,u', /line 1: empty token/],
  ['an empty user name', 't,,u', /line 1: empty user name/],
  ['a duplicate token', 't,a,u\nt,b,u', /line 2: duplicate token/],
];

for (const [what, text, error] of malformed) {
  test(`token file: ${what} is rejected with its line number`, () => {
    assert.throws(() => parseTokenFile(text, 'tokens.csv'), (e: Error) => error.test(e.message) && e.message.startsWith('tokens.csv: '));
  });
}

test('token file: loadTokenFile reads the file and names it in errors', () => {
  const tmp = makeTempDir();
  try {
    const good = path.join(tmp.dir, 'good.csv');
    writeFileSync(good, 'abc,admin,1,"system:masters"\n');
    assert.equal(loadTokenFile(good).get('abc')?.name, 'admin');
    const bad = path.join(tmp.dir, 'bad.csv');
    writeFileSync(bad, 'abc\n');
    assert.throws(() => loadTokenFile(bad), new RegExp(`^Error: ${bad}: line 1`));
  } finally { tmp.remove(); }
});

const tokens = parseTokenFile('secret,alice,u1');

const headerCases: [string, string | undefined, 'alice' | null | 'invalid'][] = [
  ['a missing header is no credentials', undefined, null],
  ['another scheme is no bearer credentials', 'Basic YWxpY2U6cHc=', null],
  ['a known bearer token is its user', 'Bearer secret', 'alice'],
  ['the scheme is case-insensitive', 'bearer secret', 'alice'],
  ['an unknown bearer token is invalid', 'Bearer nope', 'invalid'],
  ['an empty bearer token is invalid', 'Bearer ', 'invalid'],
  ['a bare "Bearer" is invalid', 'Bearer', 'invalid'],
];

for (const [behaviour, header, expected] of headerCases) {
  test(`authenticate: ${behaviour}`, () => {
    const result = authenticate(header, tokens);
    assert.equal(typeof result === 'object' && result !== null ? result.name : result, expected);
  });
}
