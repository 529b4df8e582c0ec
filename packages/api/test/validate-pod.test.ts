import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultPod, errors, fieldErrorText, podWarnings, validatePod, validatePodStatusUpdate, validatePodUpdate,
  validateObjectMeta, isDNS1123Subdomain, type Pod,
} from '../src/index.ts';

function pod(mut: (p: Pod) => void = () => {}): Pod {
  const p: Pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
  };
  mut(p);
  defaultPod(p);
  return p;
}
const texts = (p: Pod, allowPrivileged = false) => validatePod(p, { allowPrivileged }).map(fieldErrorText);

test('a minimal defaulted pod is valid', () => {
  assert.deepEqual(texts(pod()), []);
});

test('the My_Pod name yields the exact 422 message', () => {
  const errs = validatePod(pod((p) => { p.metadata.name = 'My_Pod'; }), { allowPrivileged: false });
  const e = errors.invalid('Pod', 'My_Pod', errs);
  assert.equal(e.code, 422);
  assert.equal(e.message, `Pod "My_Pod" is invalid: metadata.name: Invalid value: "My_Pod": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
});

test('pod validation rules, one behaviour per case', () => {
  const cases: [string, (p: Pod) => void, string[] | RegExp][] = [
    ['name and generateName both missing is required', (p) => { delete p.metadata.name; }, ['metadata.name: Required value: name or generateName is required']],
    ['a generateName with a trailing dash is fine', (p) => { delete p.metadata.name; p.metadata.generateName = 'web-'; }, []],
    ['no containers is required', (p) => { p.spec.containers = []; }, ['spec.containers: Required value']],
    ['a container without a name is required', (p) => { p.spec.containers[0].name = ''; }, ['spec.containers[0].name: Required value']],
    ['a container without an image is required', (p) => { delete p.spec.containers[0].image; }, ['spec.containers[0].image: Required value']],
    ['duplicate names across init and regular containers', (p) => { p.spec.initContainers = [{ name: 'app', image: 'x' }]; }, ['spec.containers[0].name: Duplicate value: "app"']],
    ['an unsupported restartPolicy', (p) => { (p.spec as { restartPolicy: string }).restartPolicy = 'Sometimes'; }, ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
    ['an unsupported dnsPolicy', (p) => { p.spec.dnsPolicy = 'X'; }, ['spec.dnsPolicy: Unsupported value: "X": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"']],
    ['activeDeadlineSeconds of 0 is out of range', (p) => { p.spec.activeDeadlineSeconds = 0; }, ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive']],
    ['a negative grace period', (p) => { p.spec.terminationGracePeriodSeconds = -1; }, ['spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0']],
    ['a mount of an undeclared volume', (p) => { p.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/d' }]; }, ['spec.containers[0].volumeMounts[0].name: Not found: "data"']],
    ['a mount without mountPath', (p) => { p.spec.volumes = [{ name: 'data', emptyDir: {} }]; p.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '' }]; }, ['spec.containers[0].volumeMounts[0].mountPath: Required value']],
    ['duplicate volume names', (p) => { p.spec.volumes = [{ name: 'd', emptyDir: {} }, { name: 'd', emptyDir: {} }]; }, ['spec.volumes[1].name: Duplicate value: "d"']],
    ['privileged containers are disallowed by cluster policy', (p) => { p.spec.containers[0].securityContext = { privileged: true }; }, ['spec.containers[0].securityContext.privileged: Forbidden: disallowed by cluster policy']],
    ['a lifecycle handler with two actions', (p) => { p.spec.containers[0].lifecycle = { preStop: { exec: { command: ['x'] }, sleep: { seconds: 1 } } }; }, ['spec.containers[0].lifecycle.preStop.sleep: Forbidden: may not specify more than 1 handler type']],
    ['a lifecycle handler with no action', (p) => { p.spec.containers[0].lifecycle = { postStart: {} }; }, ['spec.containers[0].lifecycle.postStart: Required value: must specify a handler type']],
    ['a probe with two handlers', (p) => { p.spec.containers[0].livenessProbe = { exec: { command: ['true'] }, tcpSocket: { port: 80 } }; }, ['spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type']],
    ['a probe with no handler', (p) => { p.spec.containers[0].readinessProbe = { periodSeconds: 5 }; }, ['spec.containers[0].readinessProbe: Required value: must specify a handler type']],
    ['liveness successThreshold must be 1', (p) => { p.spec.containers[0].livenessProbe = { exec: { command: ['true'] }, successThreshold: 2 }; }, ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']],
    ['startup successThreshold must be 1', (p) => { p.spec.containers[0].startupProbe = { exec: { command: ['true'] }, successThreshold: 3 }; }, ['spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1']],
    ['readiness may have a successThreshold above 1', (p) => { p.spec.containers[0].readinessProbe = { exec: { command: ['true'] }, successThreshold: 3 }; }, []],
    ['readiness may not set terminationGracePeriodSeconds', (p) => { p.spec.containers[0].readinessProbe = { exec: { command: ['true'] }, terminationGracePeriodSeconds: 5 }; }, ['spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes']],
    ['a probe terminationGracePeriodSeconds of 0', (p) => { p.spec.containers[0].livenessProbe = { exec: { command: ['true'] }, terminationGracePeriodSeconds: 0 }; }, ['spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0']],
    ['a negative initialDelaySeconds', (p) => { p.spec.containers[0].livenessProbe = { exec: { command: ['true'] }, initialDelaySeconds: -1 }; }, ['spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0']],
    ['an exec probe without a command', (p) => { p.spec.containers[0].livenessProbe = { exec: { command: [] } }; }, ['spec.containers[0].livenessProbe.exec.command: Required value']],
    ['an httpGet port out of range', (p) => { p.spec.containers[0].readinessProbe = { httpGet: { port: 70000 } }; }, ['spec.containers[0].readinessProbe.httpGet.port: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['an httpGet port name that is no IANA service name', (p) => { p.spec.containers[0].readinessProbe = { httpGet: { port: 'Web_Port' } }; }, ['spec.containers[0].readinessProbe.httpGet.port: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['an unsupported httpGet scheme', (p) => { p.spec.containers[0].readinessProbe = { httpGet: { port: 80, scheme: 'FTP' as 'HTTP' } }; }, ['spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"']],
    ['an invalid httpGet header name', (p) => { p.spec.containers[0].readinessProbe = { httpGet: { port: 80, httpHeaders: [{ name: 'X Bad', value: '1' }] } }; }, [`spec.containers[0].readinessProbe.httpGet.httpHeaders: Invalid value: "X Bad": a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')`]],
    ['a tcpSocket port of 0', (p) => { p.spec.containers[0].livenessProbe = { tcpSocket: { port: 0 } }; }, ['spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['a grpc port of 0', (p) => { p.spec.containers[0].livenessProbe = { grpc: { port: 0 } }; }, ['spec.containers[0].livenessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['a named httpGet port and a grpc probe are fine', (p) => { p.spec.containers[0].readinessProbe = { httpGet: { port: 'http' } }; p.spec.containers[0].livenessProbe = { grpc: { port: 9090 } }; }, []],
    ['an invalid nodeName', (p) => { p.spec.nodeName = 'Node_1'; }, /^spec\.nodeName: Invalid value: "Node_1": a lowercase RFC 1123 subdomain/],
    ['a negative runAsUser', (p) => { p.spec.containers[0].securityContext = { runAsUser: -1 }; }, ['spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive']],
    ['a bad label value', (p) => { p.metadata.labels = { app: 'bad value' }; }, /^metadata\.labels: Invalid value: "bad value": a valid label must be/],
    ['an invalid namespace', (p) => { p.metadata.namespace = 'Bad'; }, /^metadata\.namespace: Invalid value: "Bad": a lowercase RFC 1123 label/],
    ['probes on a plain init container are forbidden', (p) => { p.spec.initContainers = [{ name: 'i', image: 'x', livenessProbe: { exec: { command: ['true'] } } }]; }, ['spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always']],
    ['requests above limits', (p) => { p.spec.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }; }, ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']],
  ];
  for (const [name, mut, want] of cases) {
    const got = texts(pod(mut));
    if (want instanceof RegExp) { assert.equal(got.length, 1, name); assert.match(got[0], want, name); } else assert.deepEqual(got, want, name);
  }
  assert.deepEqual(texts(pod((p) => { p.spec.containers[0].securityContext = { privileged: true }; }), true), [], 'privileged allowed by flag');
});

test('annotations over 256 KiB in total are too long', () => {
  const errs = validateObjectMeta({ name: 'a', annotations: { a: 'x'.repeat(262144) } }, { namespaced: false, nameValidator: isDNS1123Subdomain });
  assert.deepEqual(errs.map(fieldErrorText), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
});

test('a dotted pod name gets the hostname warning', () => {
  assert.deepEqual(podWarnings(pod()), []);
  const [w] = podWarnings(pod((p) => { p.metadata.name = 'web.v1'; }));
  assert.match(w, /^metadata\.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: \[a lowercase RFC 1123 label/);
});

const FORBIDDEN = 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

test('pod update immutability', () => {
  const old = pod((p) => { p.metadata.uid = 'u1'; p.spec.activeDeadlineSeconds = 100; p.spec.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]; });
  const upd = (mut: (p: Pod) => void) => { const n = structuredClone(old); mut(n); return validatePodUpdate(n, old, { allowPrivileged: false }).map(fieldErrorText); };
  const cases: [string, (p: Pod) => void, string[]][] = [
    ['changing an image is allowed', (p) => { p.spec.containers[0].image = 'busybox:1.37'; }, []],
    ['changing labels is allowed', (p) => { p.metadata.labels = { a: 'b' }; }, []],
    ['shortening activeDeadlineSeconds is allowed', (p) => { p.spec.activeDeadlineSeconds = 50; }, []],
    ['lengthening activeDeadlineSeconds is rejected', (p) => { p.spec.activeDeadlineSeconds = 200; }, ['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value']],
    ['unsetting activeDeadlineSeconds is rejected', (p) => { delete p.spec.activeDeadlineSeconds; }, ['spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value']],
    ['adding a toleration is allowed', (p) => { p.spec.tolerations!.push({ key: 'x', operator: 'Exists' }); }, []],
    ['changing tolerationSeconds is allowed', (p) => { p.spec.tolerations![0].tolerationSeconds = 10; }, []],
    ['modifying a toleration is rejected', (p) => { p.spec.tolerations![0].key = 'other'; }, ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']],
    ['changing the command is rejected', (p) => { p.spec.containers[0].command = ['true']; }, [FORBIDDEN]],
    ['setting nodeName is rejected', (p) => { p.spec.nodeName = 'n1'; }, [FORBIDDEN]],
    ['adding a container is rejected', (p) => { p.spec.containers.push({ name: 'b', image: 'x' }); }, ['spec.containers: Forbidden: pod updates may not add or remove containers']],
    ['renaming the pod is rejected', (p) => { p.metadata.name = 'other'; }, ['metadata.name: Invalid value: "other": field is immutable']],
    ['changing the uid is rejected', (p) => { p.metadata.uid = 'u2'; }, ['metadata.uid: Invalid value: "u2": field is immutable']],
  ];
  for (const [name, mut, want] of cases) assert.deepEqual(upd(mut), want, name);
});

test('a negative grace period may be updated to 1 only', () => {
  const old = pod((p) => { p.spec.terminationGracePeriodSeconds = -5; });
  const n = structuredClone(old);
  n.spec.terminationGracePeriodSeconds = 1;
  assert.deepEqual(validatePodUpdate(n, old, { allowPrivileged: false }).filter((e) => e.field === 'spec'), []);
});

test('status updates: qosClass is immutable and terminated containers stay terminated under Never', () => {
  const old = pod((p) => { p.spec.restartPolicy = 'Never'; });
  old.status = { qosClass: 'BestEffort', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 1 } }, lastState: {}, ready: false, restartCount: 0, image: 'x', imageID: '' }] };
  const n = structuredClone(old);
  n.status!.qosClass = 'Guaranteed';
  n.status!.containerStatuses![0].state = { running: { startedAt: 'now' } };
  assert.deepEqual(validatePodStatusUpdate(n, old).map(fieldErrorText), [
    'status.qosClass: Invalid value: "Guaranteed": field is immutable',
    'status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state',
  ]);
  const always = structuredClone(old); always.spec.restartPolicy = 'Always';
  const n2 = structuredClone(n); n2.spec.restartPolicy = 'Always'; n2.status!.qosClass = 'BestEffort';
  assert.deepEqual(validatePodStatusUpdate(n2, always), []);
});
