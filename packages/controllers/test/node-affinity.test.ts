// Issue 15: the node constraints the scheduler and the DaemonSet controller share — nodeSelector, required node
// affinity over labels (every operator) and the metadata.name field, ORed terms of ANDed requirements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '@podling/api';
import { pinnedNodeName, podMatchesNodeConstraints, type NodeSelectorTerm } from '../src/node-affinity.ts';

const node = (name: string, labels: Record<string, string> = {}): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });
const pod = (terms?: NodeSelectorTerm[], nodeSelector?: Record<string, string>): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
  spec: { containers: [], nodeSelector, affinity: terms && { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } },
});

const cases: [string, NodeSelectorTerm[], Node, boolean][] = [
  ['In matches a listed value', [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }], node('n', { zone: 'b' }), true],
  ['In needs the label', [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }], node('n'), false],
  ['NotIn admits a missing label', [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }], node('n'), true],
  ['NotIn refuses a listed value', [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }], node('n', { zone: 'a' }), false],
  ['Exists and DoesNotExist', [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }, { key: 'spot', operator: 'DoesNotExist' }] }], node('n', { gpu: '' }), true],
  ['Gt compares integers', [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }], node('n', { cores: '8' }), true],
  ['Lt with a non-integer label never matches', [{ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }], node('n', { cores: 'x' }), false],
  ['matchFields metadata.name In', [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }], node('n'), true],
  ['matchFields metadata.name In, another node', [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['m'] }] }], node('n'), false],
  ['matchFields metadata.name NotIn', [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['m'] }] }], node('n'), true],
  ['terms are ORed', [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }], node('n'), true],
  ['requirements in a term are ANDed', [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }], node('n', { zone: 'b' }), false],
  ['an empty term matches nothing', [{}], node('n'), false],
  ['no terms at all match nothing', [], node('n'), false],
];

for (const [name, terms, n, want] of cases) {
  test(`node affinity: ${name}`, () => assert.equal(podMatchesNodeConstraints(pod(terms), n), want));
}

test('nodeSelector must hold as well as the affinity', () => {
  const terms = [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }];
  assert.equal(podMatchesNodeConstraints(pod(terms, { disk: 'ssd' }), node('n')), false);
  assert.equal(podMatchesNodeConstraints(pod(terms, { disk: 'ssd' }), node('n', { disk: 'ssd' })), true);
  assert.equal(podMatchesNodeConstraints(pod(undefined), node('n')), true);
});

test('pinnedNodeName reads the DaemonSet pin', () => {
  assert.equal(pinnedNodeName(pod([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }])), 'n');
  assert.equal(pinnedNodeName(pod()), undefined);
});
