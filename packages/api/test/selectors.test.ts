import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fieldSelectorRequiresName, fieldsMatch, isEverything, isStatusError, labelsMatch, parseFieldSelector,
  parseLabelSelector, selectorAttrs, selectorFromMatchLabels, type KubeObject,
} from '../src/index.ts';

test('label selectors match as Kubernetes does', () => {
  const labels = { app: 'web', tier: 'front', version: '3' };
  const cases: [string, string, Record<string, string> | undefined, boolean][] = [
    ['the empty selector selects everything', '', labels, true],
    ['equality', 'app=web', labels, true],
    ['double equals', 'app==web', labels, true],
    ['inequality rejects the same value', 'app!=web', labels, false],
    ['inequality matches objects lacking the key', 'env!=prod', labels, true],
    ['in with spaces', 'tier in (front, back)', labels, true],
    ['in rejects other values', 'tier in (back)', labels, false],
    ['notin matches objects lacking the key', 'env notin (prod)', labels, true],
    ['notin rejects listed values', 'tier notin (front,back)', labels, false],
    ['exists', 'app', labels, true],
    ['does not exist', '!app', labels, false],
    ['does not exist on a missing key', '!env', labels, true],
    ['comma is AND', 'app=web,tier=back', labels, false],
    ['whitespace around terms', ' app = web , !env ', labels, true],
    ['gt on integers', 'version>2', labels, true],
    ['empty value matches an empty label', 'app=', { app: '' }, true],
    ['no labels at all with notin', 'a notin (b)', undefined, true],
  ];
  for (const [name, sel, l, want] of cases) assert.equal(labelsMatch(parseLabelSelector(sel), l), want, name);
  assert.ok(isEverything(parseLabelSelector('  ')));
  assert.ok(labelsMatch(selectorFromMatchLabels({ app: 'web' }), labels));
});

test('invalid label selectors are 400s that start with "unable to parse requirement"', () => {
  for (const bad of ['app=web=x', 'a in b', 'a in (b', '!', 'a,', 'bad key=x', 'a=b c', 'a=bad value!', 'Bad_/x=y', 'a in ()']) {
    assert.throws(() => parseLabelSelector(bad), (e: unknown) => isStatusError(e) && e.code === 400 && e.message.startsWith('unable to parse requirement: '), bad);
  }
});

const pod = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
  spec: { nodeName: 'n1', restartPolicy: 'Always', containers: [] }, status: { phase: 'Running' },
} as KubeObject;

test('field selectors match pods, with missing fields as "" and booleans as text', () => {
  const cases: [string, string, boolean][] = [
    ['by name', 'metadata.name=web', true],
    ['by node', 'spec.nodeName=n1', true],
    ['spec.host is an alias of spec.nodeName', 'spec.host=n1', true],
    ['the scheduler query', 'spec.nodeName=,status.phase!=Succeeded', false],
    ['phase inequality', 'status.phase!=Succeeded,status.phase!=Failed', true],
    ['double equals', 'metadata.namespace==default', true],
    ['a missing field is empty', 'status.podIP=', true],
    ['a missing boolean is false', 'spec.hostNetwork=false', true],
  ];
  for (const [name, sel, want] of cases) assert.equal(fieldsMatch(parseFieldSelector(sel, 'pods'), pod), want, name);
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { unschedulable: true } } as KubeObject;
  assert.ok(fieldsMatch(parseFieldSelector('spec.unschedulable=true', 'nodes'), node));
  const ev = { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'web' }, source: { component: 'kubelet' } } as KubeObject;
  assert.ok(fieldsMatch(parseFieldSelector('involvedObject.name=web,source=kubelet', 'events'), ev));
});

test('unsupported fields and operators are 400s', () => {
  const cases: [string, string, string][] = [
    ['spec.foo=x', 'pods', 'field label not supported: spec.foo'],
    ['status.phase=Running', 'nodes', 'field label not supported: status.phase'],
    ['spec.nodeName=n1', 'leases', 'field label not supported: spec.nodeName'],
    ['metadata.name', 'pods', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
  ];
  for (const [sel, res, msg] of cases) {
    assert.throws(() => parseFieldSelector(sel, res), (e: unknown) => isStatusError(e) && e.code === 400 && e.message === msg, sel);
  }
});

test('fieldSelectorRequiresName finds metadata.name=X', () => {
  assert.equal(fieldSelectorRequiresName(parseFieldSelector('metadata.name=web,status.phase=Running', 'pods')), 'web');
  assert.equal(fieldSelectorRequiresName(parseFieldSelector('metadata.name!=web', 'pods')), undefined);
  assert.equal(fieldSelectorRequiresName(parseFieldSelector('', 'pods')), undefined);
});

test('skeletons answer selectors as their objects do, and share equal parts without sharing the caller\'s objects', () => {
  const pod = (name: string, node: string, ip: string): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', labels: { app: 'web', hash: 'abc' } },
    spec: { nodeName: node, schedulerName: 'default-scheduler', containers: [] }, status: { phase: 'Running', podIP: ip },
  } as KubeObject);
  const a = pod('a', 'n1', '10.0.0.1'), b = pod('b', 'n1', '10.0.0.2');
  const sa = selectorAttrs('pods', a), sb = selectorAttrs('pods', b);
  for (const sel of ['spec.nodeName=n1,status.podIP=10.0.0.2', 'spec.schedulerName=default-scheduler,status.phase=Running', 'metadata.name=a']) {
    const fs = parseFieldSelector(sel, 'pods');
    assert.deepEqual([fieldsMatch(fs, sa), fieldsMatch(fs, sb)], [fieldsMatch(fs, a), fieldsMatch(fs, b)], sel);
  }
  assert.ok(labelsMatch(parseLabelSelector('app=web,hash=abc'), sb.metadata.labels));
  assert.equal(sa.metadata.labels, sb.metadata.labels, 'one label map for both');
  assert.equal(sa.spec, sb.spec, 'one spec section: it holds no per-object value');
  assert.notEqual(sa.status, sb.status, 'the pod IP is per pod');
  a.metadata.labels!.app = 'changed';
  assert.equal(sb.metadata.labels!.app, 'web', 'the caller\'s later change reaches no skeleton');
  assert.throws(() => { (sb.metadata.labels as Record<string, string>).app = 'x'; }, TypeError);
});
