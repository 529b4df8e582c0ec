// The barrage: one row per hostile request, named by the behaviour it pins down, with the Status code it must get.
// Rows are grouped by route; bodies are raw strings so broken JSON and YAML reach the server byte for byte.
import { FIXTURE, LEASES, NS, P, richPod } from './hostile-fixtures.ts';

export interface HostileCase {
  what: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  accept?: string;
  code: number;
  reason?: string;
}

const JSON_T = 'application/json';
const YAML_T = 'application/yaml';
const JP = 'application/json-patch+json';
const MP = 'application/merge-patch+json';
const SP = 'application/strategic-merge-patch+json';
const AP = 'application/apply-patch+yaml';
const j = JSON.stringify;
const pod = (name: string, patch: (p: Record<string, any>) => void = () => {}) => { const p = richPod(name); patch(p); return j(p); };

/** Billion laughs: nine levels of nine aliases each expand to 9^9 strings if the parser follows them. */
export const YAML_BOMB = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');

const { bound, held, node, lease, event } = FIXTURE;
const B = `${P}/${bound}`;

export const BODY_CASES: HostileCase[] = [
  { what: 'truncated JSON is 400', method: 'POST', path: P, body: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":', code: 400 },
  { what: 'JSON with a trailing comma is 400', method: 'POST', path: P, body: '{"metadata":{"name":"x"},}', code: 400 },
  { what: 'a JSON string instead of an object is 400', method: 'POST', path: P, body: '"pod"', code: 400 },
  { what: 'a JSON array instead of an object is 400', method: 'POST', path: P, body: '[]', code: 400 },
  { what: 'JSON null is 400', method: 'POST', path: P, body: 'null', code: 400 },
  { what: 'an empty body is 400', method: 'POST', path: P, body: '', code: 400 },
  { what: '100k levels of [ in JSON are 400', method: 'POST', path: P, body: '['.repeat(100_000), code: 400 },
  { what: '100k balanced levels of [ ] in JSON are 400', method: 'POST', path: P, body: '['.repeat(100_000) + ']'.repeat(100_000), code: 400 },
  { what: '100k levels of nested objects in JSON are 400', method: 'POST', path: P, body: '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), code: 400 },
  { what: '101 levels of nesting inside a valid pod are 400', method: 'POST', path: P, code: 400,
    body: pod('deep', (p) => { p.metadata.annotations = undefined; p.spec.overhead = undefined; p.spec.affinity = JSON.parse('{"a":'.repeat(100) + '1' + '}'.repeat(100)); }) },
  { what: 'broken YAML is 400', method: 'POST', path: P, body: 'metadata: [unclosed', contentType: YAML_T, code: 400 },
  { what: 'YAML with tabs for indentation is 400', method: 'POST', path: P, body: 'metadata:\n\tname: x', contentType: YAML_T, code: 400 },
  { what: 'a YAML scalar instead of a mapping is 400', method: 'POST', path: P, body: '5', contentType: YAML_T, code: 400 },
  { what: 'several YAML documents in one body are 400', method: 'POST', path: P, body: 'a: 1\n---\nb: 2\n', contentType: YAML_T, code: 400 },
  { what: 'a YAML alias bomb (billion laughs) is 400', method: 'POST', path: P, body: YAML_BOMB, contentType: YAML_T, code: 400 },
  { what: 'a YAML alias bomb in an apply patch is 400', method: 'PATCH', path: `${B}?fieldManager=m`, body: YAML_BOMB, contentType: AP, code: 400 },
  { what: '100k levels of [ in YAML are 400', method: 'POST', path: P, body: '['.repeat(100_000), contentType: YAML_T, code: 400 },
  // Two deep YAML documents in a row: the first stack overflow inside the YAML composer left V8's regexp compiler
  // broken and the second one killed the process ("RegExpCompiler Allocation failed - process out of memory").
  { what: '50k nested YAML block sequences are 400', method: 'POST', path: P, body: '- '.repeat(50_000) + 'x', contentType: YAML_T, code: 400 },
  { what: '50k nested YAML block sequences sent again are still 400', method: 'POST', path: P, body: '- '.repeat(50_000) + 'x', contentType: YAML_T, code: 400 },
  { what: '1k nested YAML block mappings are 400', method: 'POST', path: P, contentType: YAML_T, code: 400,
    body: Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' x' },
  { what: 'a 10k-character pod name is 422', method: 'POST', path: P, body: pod('a'.repeat(10_000)), code: 422, reason: 'Invalid' },
  { what: 'a 2.9 MB annotation value is 422 (annotations are limited to 256 KiB)', method: 'POST', path: P, code: 422,
    body: pod('huge-annotation', (p) => { p.metadata.annotations = { big: 'x'.repeat(2_900_000) }; }) },
  { what: 'a 10k-character label value is 422', method: 'POST', path: P, body: pod('long-label', (p) => { p.metadata.labels = { a: 'b'.repeat(10_000) }; }), code: 422 },
  { what: 'a terminationGracePeriodSeconds of 1e22 is 422 (issue 14.7)', method: 'POST', path: P, code: 422, reason: 'Invalid',
    body: pod('grace-1e22', (p) => { p.spec.terminationGracePeriodSeconds = 1e22; }) },
  { what: 'a probe periodSeconds beyond int32 is 422 (issue 14.7)', method: 'POST', path: P, code: 422, reason: 'Invalid',
    body: pod('period-1e22', (p) => { p.spec.containers[0].readinessProbe.periodSeconds = 1e22; }) },
  { what: 'a DELETE with gracePeriodSeconds 1e22 is 400', method: 'DELETE', path: `${B}?gracePeriodSeconds=1e22`, code: 400 },
  { what: 'an uppercase pod name is 422', method: 'POST', path: P, body: pod('Upper'), code: 422 },
  { what: 'a pod name with a slash is 422', method: 'POST', path: P, body: pod('a/b'), code: 422 },
  { what: 'a pod name of .. is 422', method: 'POST', path: P, body: pod('..'), code: 422 },
  { what: 'a pod name with a NUL byte is 422', method: 'POST', path: P, body: pod('a\u0000b'), code: 422 },
  { what: 'an invalid label key is 422', method: 'POST', path: P, body: pod('bad-label', (p) => { p.metadata.labels = { '-x-': 'y' }; }), code: 422 },
  { what: 'a namespace in the body unlike the URL is 400', method: 'POST', path: P, body: pod('other-ns', (p) => { p.metadata.namespace = 'default'; }), code: 400 },
  { what: 'apiVersion v2 is 400', method: 'POST', path: P, body: pod('v2', (p) => { p.apiVersion = 'v2'; }), code: 400 },
  { what: 'kind Node on the pods URL is 400', method: 'POST', path: P, body: pod('kind', (p) => { p.kind = 'Node'; }), code: 400 },
  { what: 'kind given as a number is 400', method: 'POST', path: P, body: pod('kindnum', (p) => { p.kind = 5; }), code: 400 },
  { what: 'an unknown field with fieldValidation=Strict is 400', method: 'POST', path: `${P}?fieldValidation=Strict`, body: pod('strict', (p) => { p.spec.bogus = 1; }), code: 400 },
  { what: 'an unknown field named like an Object.prototype member with fieldValidation=Strict is 400', method: 'POST',
    path: `${P}?fieldValidation=Strict`, body: pod('proto-strict', (p) => { p.metadata.constructor = { evil: 1 }; p.spec.containers[0].hasOwnProperty = 'x'; }), code: 400 },
  { what: 'an unsupported fieldValidation value is 400', method: 'POST', path: `${P}?fieldValidation=Loose`, body: pod('fv'), code: 400 },
  { what: 'an unsupported dryRun value is 400', method: 'POST', path: `${P}?dryRun=Some`, body: pod('dry'), code: 400 },
  { what: 'text/plain is 415', method: 'POST', path: P, body: pod('ct1'), contentType: 'text/plain', code: 415, reason: 'UnsupportedMediaType' },
  { what: 'form encoding is 415', method: 'POST', path: P, body: 'name=x', contentType: 'application/x-www-form-urlencoded', code: 415 },
  { what: 'multipart is 415', method: 'POST', path: P, body: pod('ct2'), contentType: 'multipart/form-data; boundary=x', code: 415 },
  { what: 'a look-alike JSON media type is 415', method: 'POST', path: P, body: pod('ct3'), contentType: 'application/jsonx', code: 415 },
  { what: 'a protobuf envelope without a kind is 400', method: 'POST', path: P, body: 'k8s\u0000', contentType: 'application/vnd.kubernetes.protobuf', code: 400 },
  { what: 'a protobuf body without the k8s envelope is 415', method: 'POST', path: P, body: '{}', contentType: 'application/vnd.kubernetes.protobuf', code: 415 },
  { what: 'PUT with text/plain is 415', method: 'PUT', path: B, body: pod(bound), contentType: 'text/plain', code: 415 },
  { what: 'PATCH with plain application/json is 415', method: 'PATCH', path: B, body: '{}', contentType: JSON_T, code: 415 },
  { what: 'PATCH with YAML that is not an apply patch is 415', method: 'PATCH', path: B, body: 'a: 1', contentType: YAML_T, code: 415 },
];

export const QUERY_CASES: HostileCase[] = [
  ...['-1', '99999999999999999999', '1.5', 'abc', '1e3', ' 1'].map((v): HostileCase =>
    ({ what: `limit=${v} is 400`, method: 'GET', path: `${P}?limit=${encodeURIComponent(v)}`, code: 400 })),
  ...['abc', '-1', '1.5', '99999999999999999999999', '0x10', '1e3'].map((v): HostileCase =>
    ({ what: `resourceVersion=${v} on a list is 400`, method: 'GET', path: `${P}?resourceVersion=${encodeURIComponent(v)}`, code: 400 })),
  { what: 'an unsupported resourceVersionMatch is 400', method: 'GET', path: `${P}?resourceVersion=1&resourceVersionMatch=Newest`, code: 400 },
  { what: 'resourceVersionMatch without resourceVersion is 400', method: 'GET', path: `${P}?resourceVersionMatch=Exact`, code: 400 },
  ...['garbage', 'eyJydiI6MX0', '%00%01', 'e30', 'eyJydiI6LTUsImsiOiJ4In0', 'eyJydiI6MWUzMDAsImsiOjV9'].map((v): HostileCase =>
    ({ what: `continue=${v} is 400`, method: 'GET', path: `${P}?limit=1&continue=${v}`, code: 400 })),
  { what: 'continue together with resourceVersion is 400', method: 'GET', path: `${P}?continue=eyJydiI6MX0&resourceVersion=1`, code: 400 },
  ...['!!!', 'a in (', 'a==b==c', '=x', 'a notin b', 'a,,b', 'x>', `${'k'.repeat(400)}=v`].map((v): HostileCase =>
    ({ what: `labelSelector ${JSON.stringify(v)} is 400`, method: 'GET', path: `${P}?labelSelector=${encodeURIComponent(v)}`, code: 400 })),
  ...['spec.bogus=x', '==', 'metadata.name', 'status.phase~Running', 'metadata.labels=x'].map((v): HostileCase =>
    ({ what: `fieldSelector ${JSON.stringify(v)} is 400`, method: 'GET', path: `${P}?fieldSelector=${encodeURIComponent(v)}`, code: 400 })),
  { what: 'a pod field selector on nodes is 400', method: 'GET', path: '/api/v1/nodes?fieldSelector=spec.nodeName%3Dx', code: 400 },
  { what: 'a bad selector on a collection delete is 400 and deletes nothing', method: 'DELETE', path: `${P}?labelSelector=!!!`, code: 400 },
  { what: 'a bad field selector on a collection delete is 400', method: 'DELETE', path: '/api/v1/nodes?fieldSelector=bogus%3D1', code: 400 },
  ...['-1e20', '99999999999999999999', '1e20', 'abc', '1.5', '', '-9999999'].filter((v) => v !== '').map((v): HostileCase =>
    ({ what: `gracePeriodSeconds=${v} is 400`, method: 'DELETE', path: `${B}?gracePeriodSeconds=${encodeURIComponent(v)}`, code: 400 })),
  { what: 'a DeleteOptions body that is an array is 400', method: 'DELETE', path: B, body: '[1]', code: 400 },
  { what: 'a DeleteOptions body with a string grace is 400', method: 'DELETE', path: B, body: j({ gracePeriodSeconds: '5' }), code: 400 },
  { what: 'a DeleteOptions body with grace -1e20 is 400', method: 'DELETE', path: B, body: j({ gracePeriodSeconds: -1e20 }), code: 400 },
  { what: 'a DeleteOptions body with grace 1e300 is 400', method: 'DELETE', path: B, body: j({ gracePeriodSeconds: 1e300 }), code: 400 },
  { what: 'DeleteOptions preconditions that are a string are 400', method: 'DELETE', path: B, body: j({ preconditions: 'x' }), code: 400 },
  { what: 'DeleteOptions with a numeric propagationPolicy are 400', method: 'DELETE', path: B, body: j({ propagationPolicy: 5 }), code: 400 },
  { what: 'DeleteOptions with a numeric precondition uid are 400', method: 'DELETE', path: B, body: j({ preconditions: { uid: 5 } }), code: 400 },
  { what: 'DeleteOptions with dryRun as a string are 400', method: 'DELETE', path: B, body: j({ dryRun: 'All' }), code: 400 },
  { what: 'a precondition uid that does not match is 409', method: 'DELETE', path: B, body: j({ preconditions: { uid: 'nope' } }), code: 409, reason: 'Conflict' },
  { what: 'a precondition resourceVersion that does not match is 409', method: 'DELETE', path: B, body: j({ preconditions: { resourceVersion: '1' } }), code: 409 },
  { what: 'broken JSON in a DeleteOptions body is 400', method: 'DELETE', path: B, body: '{"gracePeriodSeconds":', code: 400 },
  { what: 'timeoutSeconds=-1 on a watch is 400', method: 'GET', path: `${P}?watch=1&timeoutSeconds=-1`, code: 400 },
  { what: 'a fieldManager over 128 bytes is 400', method: 'PATCH', path: `${B}?fieldManager=${'m'.repeat(200)}`, body: 'metadata: {}', contentType: AP, code: 400 },
];

export const PATCH_CASES: HostileCase[] = ([
  ['an unknown JSON patch op is 400', [{ op: 'frobnicate', path: '/x' }], JP, 400],
  ['a JSON patch that is an object is 400', { op: 'add', path: '/x', value: 1 }, JP, 400],
  ['a JSON patch op without a path is 400', [{ op: 'add' }], JP, 400],
  ['a JSON pointer without a leading slash is 400', [{ op: 'replace', path: 'spec', value: 1 }], JP, 400],
  ['a non-string JSON pointer is 400', [{ op: 'move', from: 5, path: '/x' }], JP, 400],
  ['a JSON patch element that is a number is 400', [5], JP, 400],
  ['a JSON pointer past the end of a list is 422', [{ op: 'replace', path: '/spec/containers/99/image', value: 'x' }], JP, 422],
  ['a negative list index is 422', [{ op: 'add', path: '/spec/containers/-1', value: {} }], JP, 422],
  ['a pointer through a missing parent is 422', [{ op: 'add', path: '/spec/nothing/here', value: 1 }], JP, 422],
  ['copy from a missing path is 422', [{ op: 'copy', from: '/nope', path: '/x' }], JP, 422],
  ['a failed test op is 422', [{ op: 'test', path: '/metadata/name', value: 'other' }], JP, 422],
  ['replacing the whole document with a number is 400', [{ op: 'replace', path: '', value: 5 }], JP, 400],
  ['a JSON patch that sets a wrong type is 400', [{ op: 'replace', path: '/spec/containers/0/image', value: 1 }], JP, 400],
  ['a JSON patch that renames the object is 400', [{ op: 'replace', path: '/metadata/name', value: 'other' }], JP, 400],
  ['a JSON patch that changes the uid is a 409 precondition failure', [{ op: 'replace', path: '/metadata/uid', value: 'other' }], JP, 409],
  ['a JSON patch that removes spec is 422', [{ op: 'remove', path: '/spec' }], JP, 422],
  ['a JSON patch 101 levels deep is 400', [{ op: 'add', path: '/metadata/annotations', value: JSON.parse('{"a":'.repeat(101) + '1' + '}'.repeat(101)) }], JP, 400],
  ['a merge patch that is a number is 400', 5, MP, 400],
  ['a merge patch that makes metadata a number is 400', { metadata: 5 }, MP, 400],
  ['a merge patch with a stale resourceVersion is 409', { metadata: { resourceVersion: '1' }, spec: { activeDeadlineSeconds: 5 } }, MP, 409],
  ['a merge patch with resourceVersion abc is 409', { metadata: { resourceVersion: 'abc' }, spec: { activeDeadlineSeconds: 5 } }, MP, 409],
  ['a merge patch changing kind is 400', { kind: 'Node' }, MP, 400],
  ['an unknown $patch directive is 400', { spec: { containers: [{ name: 'app', $patch: 'explode' }] } }, SP, 400],
  ['$patch: delete of the whole object is 400', { $patch: 'delete' }, SP, 400],
  ['$setElementOrder that is not a list is 400', { spec: { '$setElementOrder/containers': 5 } }, SP, 400],
  ['$deleteFromPrimitiveList that is not a list is 400', { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } }, SP, 400],
  ['$retainKeys that is not a list is 400', { spec: { $retainKeys: 5 } }, SP, 400],
  ['a merge-key list element without its key is 400', { spec: { containers: [{ $patch: 'delete' }] } }, SP, 400],
  ['a merge-key list of numbers is 400', { spec: { containers: [5] } }, SP, 400],
  ['a strategic patch that is a list is 400', [1], SP, 400],
  ['a strategic patch that sets a wrong type is 400', { spec: { containers: 'x' } }, SP, 400],
  ['a strategic patch that replaces spec is 422', { spec: { $patch: 'replace' } }, SP, 422],
] as [string, unknown, string, number][]).map(([what, body, contentType, code]) => ({ what, method: 'PATCH', path: B, body: j(body), contentType, code }));

export const APPLY_CASES: HostileCase[] = [
  { what: 'an apply patch without fieldManager is 400', method: 'PATCH', path: B, body: 'metadata: {}', contentType: AP, code: 400 },
  { what: 'broken YAML in an apply patch is 400', method: 'PATCH', path: `${B}?fieldManager=m`, body: 'x: [', contentType: AP, code: 400 },
  { what: 'an apply patch that is a scalar is 400', method: 'PATCH', path: `${B}?fieldManager=m`, body: '5', contentType: AP, code: 400 },
  { what: 'an apply patch with a wrong type is 400', method: 'PATCH', path: `${B}?fieldManager=m`, body: 'spec: {containers: 7}', contentType: AP, code: 400 },
  { what: 'an apply patch creating an incomplete pod is 422 and stores nothing', method: 'PATCH', path: `${P}/applied?fieldManager=m`, body: 'metadata: {labels: {a: b}}', contentType: AP, code: 422 },
  { what: 'an apply patch naming another object is 400', method: 'PATCH', path: `${P}/applied?fieldManager=m`, body: 'metadata: {name: other}', contentType: AP, code: 400 },
];

export const SUBRESOURCE_CASES: HostileCase[] = [
  { what: 'binding a pod that is being deleted is 409', method: 'POST', path: `${P}/${held}/binding`, body: j({ target: { name: node } }), code: 409, reason: 'Conflict' },
  { what: 'binding an already bound pod is 409', method: 'POST', path: `${B}/binding`, body: j({ target: { name: node } }), code: 409 },
  { what: 'binding a missing pod is 404', method: 'POST', path: `${P}/missing/binding`, body: j({ target: { name: node } }), code: 404 },
  { what: 'a binding target that is a number is 400', method: 'POST', path: `${P}/${held}/binding`, body: j({ target: 5 }), code: 400 },
  { what: 'a binding target name that is a number is 400', method: 'POST', path: `${P}/${held}/binding`, body: j({ target: { name: 5 } }), code: 400 },
  { what: 'a binding without a target name is 422', method: 'POST', path: `${P}/${held}/binding`, body: j({ target: {} }), code: 422 },
  { what: 'a binding to a non-Node target is 400', method: 'POST', path: `${P}/${held}/binding`, body: j({ target: { kind: 'Pod', name: 'x' } }), code: 400 },
  { what: 'a binding whose name differs from the URL is 400', method: 'POST', path: `${P}/${held}/binding`, body: j({ metadata: { name: 'other' }, target: { name: node } }), code: 400 },
  { what: 'a binding that is a list is 400', method: 'POST', path: `${P}/${held}/binding`, body: '[]', code: 400 },
  { what: 'GET on binding is 405', method: 'GET', path: `${B}/binding`, code: 405 },
  { what: 'a status update with a numeric phase is 400', method: 'PUT', path: `${B}/status`, body: pod(bound, (p) => { p.status.phase = 5; }), code: 400 },
  { what: 'an empty status update is 400', method: 'PUT', path: `${B}/status`, body: '', code: 400 },
  { what: 'a status merge patch with a numeric condition type is 400', method: 'PATCH', path: `${B}/status`, body: j({ status: { conditions: [{ type: 5 }] } }), contentType: MP, code: 400 },
  { what: 'a status update of a missing pod is 404', method: 'PUT', path: `${P}/missing/status`, body: pod('missing'), code: 404 },
  { what: 'an unknown pod subresource is 404', method: 'GET', path: `${B}/bogus`, code: 404 },
  { what: 'exec without a command is 400', method: 'GET', path: `${B}/exec`, code: 400 },
  { what: 'exec without a websocket upgrade is 400', method: 'POST', path: `${B}/exec?command=id&stdout=true`, code: 400 },
  { what: 'exec in a container with path traversal is 400', method: 'GET', path: `${B}/exec?command=id&stdout=true&container=..%2F..%2Fx`, code: 400 },
  { what: 'exec in a missing pod is 404', method: 'GET', path: `${P}/missing/exec?command=id&stdout=true`, code: 404 },
  { what: 'attach without any stream is 400', method: 'GET', path: `${B}/attach?container=app`, code: 400 },
  { what: 'port-forward to port 0 is 400', method: 'GET', path: `${B}/portforward?ports=0`, code: 400 },
  { what: 'port-forward to a non-numeric port is 400', method: 'GET', path: `${B}/portforward?ports=80;rm`, code: 400 },
  { what: 'POST on log is 405', method: 'POST', path: `${B}/log`, code: 405 },
  { what: 'a log container with path traversal is 400', method: 'GET', path: `${B}/log?container=..%2F..%2F..%2Fetc%2Fpasswd`, code: 400 },
  { what: 'a log container of .. is 400', method: 'GET', path: `${B}/log?container=..`, code: 400 },
  { what: 'a log container with a NUL byte is 400', method: 'GET', path: `${B}/log?container=app%00x`, code: 400 },
  { what: 'a log container the pod does not have is 400', method: 'GET', path: `${B}/log?container=other`, code: 400 },
  { what: 'the log of a pod whose node has no agent is 503', method: 'GET', path: `${B}/log?container=app`, code: 503 },
  { what: 'the log of a missing pod is 404', method: 'GET', path: `${P}/missing/log`, code: 404 },
];

export const PATH_CASES: HostileCase[] = [
  { what: 'a pod name with ../ in the URL is 404', method: 'GET', path: `${P}/..%2F..%2Fetc%2Fpasswd`, code: 404 },
  { what: 'a double-encoded traversal is 404', method: 'GET', path: `${P}/..%252F..%252Fetc`, code: 404 },
  { what: 'deleting a traversal name is 404', method: 'DELETE', path: `${P}/..%2F..%2Fetc`, code: 404 },
  { what: 'the log of a traversal name is 404', method: 'GET', path: `${P}/..%2F..%2Fetc%2Fpasswd/log?container=app`, code: 404 },
  { what: 'a PUT whose URL name is a traversal is 400 (name mismatch)', method: 'PUT', path: `${P}/..%2F..%2Fetc`, body: pod('x'), code: 400 },
  { what: 'creating in a traversal namespace is 404', method: 'POST', path: '/api/v1/namespaces/..%2F..%2Fetc/pods', body: pod('x'), code: 404 },
  { what: 'a traversal namespace is 404', method: 'GET', path: '/api/v1/namespaces/..%2F..%2Fetc', code: 404 },
  { what: 'a traversal node name is 404', method: 'GET', path: '/api/v1/nodes/..%2F..%2Fetc', code: 404 },
  { what: 'a URL with an invalid percent-encoding is 400', method: 'GET', path: `${P}/%E0%A4%A`, code: 400 },
  { what: 'a 10k-character name in the URL is 414', method: 'GET', path: `${P}/${'a'.repeat(10_000)}`, code: 414 },
  { what: 'a pod in a missing namespace is 404', method: 'POST', path: '/api/v1/namespaces/missing/pods', body: pod('x'), code: 404 },
  { what: 'a namespaced resource under the cluster scope is 405 for writes', method: 'POST', path: '/api/v1/pods', body: pod('x'), code: 405 },
  { what: 'a node under a namespace is 404', method: 'GET', path: `/api/v1/namespaces/${NS}/nodes`, code: 404 },
  { what: 'leases in the core group are 404', method: 'GET', path: `/api/v1/namespaces/${NS}/leases`, code: 404 },
  { what: 'pods in the coordination group are 404', method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/pods`, code: 404 },
  { what: 'a resource named like an Object.prototype member is 404', method: 'GET', path: '/api/v1/constructor', code: 404 },
  { what: 'a resource named __proto__ is 404', method: 'GET', path: `/api/v1/namespaces/${NS}/__proto__`, code: 404 },
];

export const KIND_CASES: HostileCase[] = [
  { what: 'an invalid node name is 422', method: 'POST', path: '/api/v1/nodes', body: j({ metadata: { name: 'Bad_Node' } }), code: 422 },
  { what: 'node taints that are a string are 400', method: 'POST', path: '/api/v1/nodes', body: j({ metadata: { name: 'n-taints' }, spec: { taints: 'x' } }), code: 400 },
  { what: 'a node capacity that is not a quantity is 422', method: 'POST', path: '/api/v1/nodes', body: j({ metadata: { name: 'n-cap' }, status: { capacity: { cpu: 'lots' } } }), code: 422 },
  { what: 'a node posted to its item URL is 405', method: 'POST', path: `/api/v1/nodes/${node}`, body: j({ metadata: { name: node } }), code: 405 },
  { what: 'a node status update with a bad condition type is 400', method: 'PATCH', path: `/api/v1/nodes/${node}/status`, body: j({ status: { conditions: [{ type: 1 }] } }), contentType: MP, code: 400 },
  { what: 'an invalid namespace name is 422', method: 'POST', path: '/api/v1/namespaces', body: j({ metadata: { name: 'Bad_NS' } }), code: 422 },
  { what: 'a 64-character namespace name is 422', method: 'POST', path: '/api/v1/namespaces', body: j({ metadata: { name: 'n'.repeat(64) } }), code: 422 },
  { what: 'a namespace renamed by PUT is 400', method: 'PUT', path: `/api/v1/namespaces/${NS}`, body: j({ metadata: { name: 'other' } }), code: 400 },
  { what: 'deleting the default namespace is 403', method: 'DELETE', path: '/api/v1/namespaces/default', code: 403 },
  { what: 'an event whose involvedObject is a number is 400', method: 'POST', path: `/api/v1/namespaces/${NS}/events`, body: j({ metadata: { name: 'e1' }, involvedObject: 5 }), code: 400 },
  { what: 'an event without involvedObject is 422', method: 'POST', path: `/api/v1/namespaces/${NS}/events`, body: j({ metadata: { name: 'e2' } }), code: 422 },
  { what: 'an event with a string count is 400', method: 'POST', path: `/api/v1/namespaces/${NS}/events`, body: j({ metadata: { name: 'e3' }, count: '1' }), code: 400 },
  { what: 'an event in a missing namespace is 404', method: 'POST', path: '/api/v1/namespaces/missing/events', body: j({ metadata: { name: 'e4' }, involvedObject: { kind: 'Pod', name: 'x' } }), code: 404 },
  { what: 'a duplicate event name is 409', method: 'POST', path: `/api/v1/namespaces/${NS}/events`, body: j({ metadata: { name: event }, involvedObject: { kind: 'Pod', name: 'x', namespace: NS } }), code: 409 },
  { what: 'a lease with a string duration is 400', method: 'POST', path: LEASES, body: j({ metadata: { name: 'l1' }, spec: { leaseDurationSeconds: '15' } }), code: 400 },
  { what: 'a lease with apiVersion v1 is 400', method: 'POST', path: LEASES, body: j({ apiVersion: 'v1', kind: 'Lease', metadata: { name: 'l2' } }), code: 400 },
  { what: 'a lease update with a stale resourceVersion is 409', method: 'PUT', path: `${LEASES}/${lease}`, body: j({ metadata: { name: lease, resourceVersion: '1' }, spec: { holderIdentity: 'thief' } }), code: 409 },
  { what: 'a lease list with limit=-1 is 400', method: 'GET', path: `${LEASES}?limit=-1`, code: 400 },
  { what: 'a lease duration of 0 is 422', method: 'POST', path: LEASES, code: 422, reason: 'Invalid',
    body: j({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l-zero' }, spec: { leaseDurationSeconds: 0 } }) },
  { what: 'a lease duration of 1e22 is 422 (issue 14.7)', method: 'POST', path: LEASES, code: 422, reason: 'Invalid',
    body: j({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l-huge' }, spec: { leaseDurationSeconds: 1e22 } }) },
  { what: 'negative lease transitions are 422', method: 'PATCH', path: `${LEASES}/${lease}`, code: 422, reason: 'Invalid',
    body: j({ spec: { leaseTransitions: -1 } }), contentType: MP },
  { what: 'a lease status is 404', method: 'GET', path: `${LEASES}/${lease}/status`, code: 404 },
];

export const DISCOVERY_CASES: HostileCase[] = [
  { what: 'POST /api is 404', method: 'POST', path: '/api', body: '{}', code: 404 },
  { what: 'DELETE /version is 404', method: 'DELETE', path: '/version', code: 404 },
  { what: 'an unknown group is 404', method: 'GET', path: '/apis/bogus.io/v1', code: 404 },
  { what: 'an unknown version is 404', method: 'GET', path: '/api/v2', code: 404 },
  { what: 'an unknown core resource is 404', method: 'GET', path: '/api/v1/bogus', code: 404 },
  { what: 'an unknown coordination resource is 404', method: 'GET', path: '/apis/coordination.k8s.io/v1/bogus', code: 404 },
  { what: 'a Table with an unsupported includeObject is 400', method: 'GET', path: `${P}?includeObject=Everything`, code: 400,
    accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' },
];

export const WATCH_CASES: HostileCase[] = [
  ...['abc', '-1', '1.5', '99999999999999999999999'].map((v): HostileCase =>
    ({ what: `a watch from resourceVersion ${v} is 400`, method: 'GET', path: `${P}?watch=true&resourceVersion=${v}`, code: 400 })),
  { what: 'a watch with a bad label selector is 400', method: 'GET', path: `${P}?watch=true&labelSelector=a%20in%20(`, code: 400 },
  { what: 'a watch with a bad field selector is 400', method: 'GET', path: `${P}?watch=true&fieldSelector=spec.bogus%3D1`, code: 400 },
  { what: 'a watch with timeoutSeconds=abc is 400', method: 'GET', path: `${P}?watch=true&timeoutSeconds=abc`, code: 400 },
  { what: 'a watch of an unknown resource is 404', method: 'GET', path: `/api/v1/namespaces/${NS}/bogus?watch=true`, code: 404 },
  { what: 'a legacy watch of an unknown resource is 404', method: 'GET', path: '/api/v1/watch/bogus', code: 404 },
];
