import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateName, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../src/index.ts';

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test('DNS-1123 subdomains: length limit 253 and the exact regex message', () => {
  const cases: [string, string, string[]][] = [
    ['a 253-char name is valid', 'a'.repeat(253), []],
    ['a 254-char name is too long', 'a'.repeat(254), ['must be no more than 253 characters']],
    ['dots are allowed', 'web.example.com', []],
    ['uppercase is rejected', 'My_Pod', [SUBDOMAIN_MSG]],
    ['underscore is rejected', 'my_pod', [SUBDOMAIN_MSG]],
    ['a leading dash is rejected', '-pod', [SUBDOMAIN_MSG]],
    ['a trailing dot is rejected', 'pod.', [SUBDOMAIN_MSG]],
    ['empty is rejected', '', [SUBDOMAIN_MSG]],
  ];
  for (const [name, v, want] of cases) assert.deepEqual(isDNS1123Subdomain(v), want, name);
});

test('DNS-1123 labels: 63 chars, no dots, two spaces before "or" in the message', () => {
  const cases: [string, string, string[]][] = [
    ['63 chars is valid', 'a'.repeat(63), []],
    ['64 chars is too long', 'a'.repeat(64), ['must be no more than 63 characters']],
    ['a dot is rejected', 'a.b', [LABEL_MSG]],
    ['uppercase is rejected', 'Default', [LABEL_MSG]],
    ['digits first is fine', '123-abc', []],
  ];
  for (const [name, v, want] of cases) assert.deepEqual(isDNS1123Label(v), want, name);
  assert.ok(LABEL_MSG.includes("'my-name',  or '123-abc'"));
});

test('qualified names: prefix and name parts are checked separately', () => {
  assert.deepEqual(isQualifiedName('app'), []);
  assert.deepEqual(isQualifiedName('example.com/My.Name_1'), []);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('a/'), ['name part must be non-empty', "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]);
  assert.equal(isQualifiedName('a'.repeat(64))[0], 'name part must be no more than 63 characters');
  assert.match(isQualifiedName('a/b/c')[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  assert.match(isQualifiedName('Bad_/x')[0], /^prefix part a lowercase RFC 1123 subdomain/);
});

test('label values may be empty but not start with a symbol or exceed 63 chars', () => {
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('my_value.1'), []);
  assert.deepEqual(isValidLabelValue('bad value'), ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]);
  assert.equal(isValidLabelValue('a'.repeat(64))[0], 'must be no more than 63 characters');
});

test('generateName appends 5 chars from the no-vowel alphabet and cuts the base to 58', () => {
  const name = generateName('web-');
  assert.match(name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(generateName('x'.repeat(70), () => 0), `${'x'.repeat(58)}bbbbb`);
  assert.equal(generateName('a-', () => 0.999999), 'a-99999');
});
