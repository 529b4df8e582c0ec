// Valid objects of every kind the apiserver stores, each with as many typed fields as Podling knows, so that the
// wrong-type walk (hostile-type-walk.ts) reaches every part of the schemas; and the fixture names the barrage uses.

export const NS = 'hostile';
export const P = `/api/v1/namespaces/${NS}/pods`;
export const LEASES = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;

/** Fixtures created before the barrage: a pod bound to a node without agent, a pod held by a finalizer while
 * being deleted (never bound), a node, a lease and an event. */
export const FIXTURE = { bound: 'bound', held: 'held', node: 'hostile-node', lease: 'hostile-lease', event: 'hostile-event' } as const;

export function richPod(name: string): Record<string, any> {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, labels: { app: 'walk' }, annotations: { note: 'n' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'owner', uid: 'u-1', controller: false }],
    },
    spec: {
      volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Mi' } }],
      initContainers: [{ name: 'init', image: 'busybox', command: ['true'] }],
      containers: [{
        name: 'app', image: 'busybox', command: ['sleep', '1'], args: ['x'], workingDir: '/tmp',
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        env: [{ name: 'A', value: 'b' }],
        resources: { limits: { cpu: '100m' }, requests: { cpu: '50m' } },
        volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
        readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 5 },
        lifecycle: { preStop: { exec: { command: ['true'] } } },
        securityContext: { runAsUser: 1000, capabilities: { drop: ['ALL'] } },
        imagePullPolicy: 'IfNotPresent', tty: false,
      }],
      restartPolicy: 'Always', terminationGracePeriodSeconds: 5, activeDeadlineSeconds: 100,
      nodeSelector: { disk: 'ssd' },
      tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }],
      hostAliases: [{ ip: '10.0.0.1', hostnames: ['h'] }],
      securityContext: { runAsNonRoot: true, supplementalGroups: [1] },
      enableServiceLinks: true,
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] },
  };
}

export function richNode(name: string): Record<string, any> {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { zone: 'a' } },
    spec: { unschedulable: false, podCIDR: '10.1.0.0/24', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] },
    status: {
      capacity: { cpu: '4', memory: '1Gi' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 1 } },
      nodeInfo: { kubeletVersion: 'v1.31.0', architecture: 'amd64' },
    },
  };
}

export function richNamespace(name: string): Record<string, any> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team: 't' } }, spec: { finalizers: ['kubernetes'] } };
}

export function richEvent(name: string): Record<string, any> {
  return {
    apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: NS },
    involvedObject: { kind: 'Pod', namespace: NS, name: 'bound', apiVersion: 'v1' },
    reason: 'Tested', message: 'm', source: { component: 'hostile' }, count: 1, type: 'Normal',
    firstTimestamp: '2024-01-01T00:00:00Z', lastTimestamp: '2024-01-01T00:00:00Z',
  };
}

export function richLease(name: string): Record<string, any> {
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: NS },
    spec: { holderIdentity: 'me', leaseDurationSeconds: 40, leaseTransitions: 0, renewTime: '2024-01-01T00:00:00.000000Z' },
  };
}

/** Union-typed fields (IntOrString, Quantity): a string or a number may be accepted, or refused as invalid (422). */
export function isUnionField(path: string): boolean {
  return /\.port$/.test(path) || /sizeLimit$/.test(path) || /\.(limits|requests|capacity|allocatable)\.[a-z]+$/.test(path);
}
