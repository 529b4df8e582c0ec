// core/v1 Container (also init and ephemeral containers) with its probes, handlers, ports, env and mounts.
import {
  bool, int, intOrStr, list, open, openList, quantityMap, str, strList, struct, type Schema,
} from './schema-builders.ts';

const execAction = struct('ExecAction', { command: strList });
const httpGet = struct('HTTPGetAction', {
  path: str, port: intOrStr, host: str, scheme: str, httpHeaders: list(struct('HTTPHeader', { name: str, value: str })),
});
const tcpSocket = struct('TCPSocketAction', { port: intOrStr, host: str });
const grpc = struct('GRPCAction', { port: int, service: str });
const sleep = struct('SleepAction', { seconds: int });

const handler = struct('LifecycleHandler', { exec: execAction, httpGet, tcpSocket, sleep });
const probe = struct('Probe', {
  exec: execAction, httpGet, tcpSocket, grpc,
  initialDelaySeconds: int, timeoutSeconds: int, periodSeconds: int, successThreshold: int, failureThreshold: int,
  terminationGracePeriodSeconds: int,
});

const envVar = struct('EnvVar', {
  name: str, value: str,
  valueFrom: struct('EnvVarSource', { fieldRef: open, resourceFieldRef: open, configMapKeyRef: open, secretKeyRef: open, fileKeyRef: open }),
});
const envFrom = struct('EnvFromSource', { prefix: str, configMapRef: open, secretRef: open });
const port = struct('ContainerPort', { name: str, hostPort: int, containerPort: int, protocol: str, hostIP: str });
const volumeMount = struct('VolumeMount', {
  name: str, readOnly: bool, recursiveReadOnly: str, mountPath: str, subPath: str, mountPropagation: str, subPathExpr: str,
});
const resources = struct('ResourceRequirements', { limits: quantityMap, requests: quantityMap, claims: openList });
const securityContext = struct('SecurityContext', {
  capabilities: struct('Capabilities', { add: strList, drop: strList }),
  privileged: bool, seLinuxOptions: open, windowsOptions: open, runAsUser: int, runAsGroup: int, runAsNonRoot: bool,
  readOnlyRootFilesystem: bool, allowPrivilegeEscalation: bool, procMount: str, seccompProfile: open, appArmorProfile: open,
});

const containerFields: Record<string, Schema> = {
  name: str, image: str, command: strList, args: strList, workingDir: str,
  ports: list(port), envFrom: list(envFrom), env: list(envVar), resources,
  resizePolicy: openList, restartPolicy: str, restartPolicyRules: openList,
  volumeMounts: list(volumeMount), volumeDevices: openList,
  livenessProbe: probe, readinessProbe: probe, startupProbe: probe,
  lifecycle: struct('Lifecycle', { postStart: handler, preStop: handler, stopSignal: str }),
  terminationMessagePath: str, terminationMessagePolicy: str, imagePullPolicy: str, securityContext,
  stdin: bool, stdinOnce: bool, tty: bool,
};

export const container = struct('Container', containerFields);
export const ephemeralContainer = struct('EphemeralContainer', { ...containerFields, targetContainerName: str });
