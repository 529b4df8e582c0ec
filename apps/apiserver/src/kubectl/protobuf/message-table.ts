// The protobuf schema of every served kind, built once with protobufjs reflection from the project's message tables.
// Kubernetes' wire format is gogo-protobuf proto2 whose field numbers are the `protobuf:"…"` struct tags of the Go
// types; the tables write each message on one line as `jsonName=number[:type][[]][?]`:
//   type    absent: string; `i`: integer (int32 and int64 alike, read as int64 so negatives survive); `b`: bool;
//           `B`: bytes;
//           `{}`: map<string,string>; `{Quantity}`: map<string,Quantity>; a capitalised name: that message.
//   `[]`    repeated.  `?` a pointer scalar in Go: its zero value was set on purpose and is kept (replicas: 0).
//   `_`     as jsonName: an embedded struct whose fields JSON inlines (Volume's VolumeSource, Probe's handler).
// The special messages below have their own JSON form (k8s.io/apimachinery pkg/apis/meta/v1 time_proto.go,
// micro_time_proto.go, pkg/util/intstr, pkg/api/resource, pkg/runtime RawExtension).
import protobuf from 'protobufjs';
import { CORE_MESSAGES } from './core-messages.ts';
import { META_MESSAGES } from './meta-messages.ts';
import { POD_MESSAGES } from './pod-messages.ts';
import { SERVICE_MESSAGES } from './service-messages.ts';
import { VOLUME_MESSAGES } from './volume-messages.ts';
import { WORKLOAD_MESSAGES } from './workload-messages.ts';

/** Message name → its fields in the notation above. */
export type MessageTable = Record<string, string>;

export type Scalar = 'string' | 'int64' | 'bool' | 'bytes' | 'int32';
export interface FieldSpec {
  json: string;
  number: number;
  /** A scalar, or the name of a message. */
  type: string;
  repeated: boolean;
  /** map<string, type>. */
  map: boolean;
  keepZero: boolean;
}

/** Wire layouts of the messages whose JSON form is not an object (converted in protobuf-json.ts). */
const SPECIAL: Record<string, FieldSpec[]> = {
  Time: [raw('seconds', 1, 'int64'), raw('nanos', 2, 'int32')],
  MicroTime: [raw('seconds', 1, 'int64'), raw('nanos', 2, 'int32')],
  IntOrString: [raw('type', 1, 'int64'), raw('intVal', 2, 'int32'), raw('strVal', 3, 'string')],
  Quantity: [raw('string', 1, 'string')],
  RawExtension: [raw('raw', 1, 'bytes')],
  FieldsV1: [raw('Raw', 1, 'bytes')],
};
export const SPECIAL_MESSAGES = new Set(Object.keys(SPECIAL));

function raw(json: string, number: number, type: Scalar): FieldSpec {
  return { json, number, type, repeated: false, map: false, keepZero: true };
}

const SCALARS: Record<string, Scalar> = { '': 'string', i: 'int64', b: 'bool', B: 'bytes' };

function parseField(spec: string, message: string): FieldSpec {
  const m = /^(\w+)=(\d+)(?::(\{\w*\}|\w+))?(\[\])?(\?)?$/.exec(spec);
  if (!m) throw new Error(`message ${message}: bad field ${JSON.stringify(spec)}`);
  const [, json, number, t = '', repeated, pointer] = m;
  const map = t.startsWith('{');
  const name = map ? t.slice(1, -1) : t;
  return { json, number: Number(number), type: SCALARS[name] ?? name, repeated: !!repeated, map, keepZero: !!pointer };
}

/** All tables in one; a message name in two of them would let one silently win, so it fails at load instead. */
const TABLE: MessageTable = {};
for (const t of [META_MESSAGES, POD_MESSAGES, VOLUME_MESSAGES, CORE_MESSAGES, WORKLOAD_MESSAGES, SERVICE_MESSAGES]) {
  for (const [name, line] of Object.entries(t)) {
    if (Object.hasOwn(TABLE, name)) throw new Error(`protobuf message ${name} is declared twice`);
    TABLE[name] = line;
  }
}

/** Every message's fields, parsed from the tables and the special layouts. */
export const MESSAGES: ReadonlyMap<string, FieldSpec[]> = new Map([
  ...Object.entries(TABLE).map(([name, line]): [string, FieldSpec[]] => [name, line.split(' ').map((f) => parseField(f, name))]),
  ...Object.entries(SPECIAL),
]);

/** Protobufjs types by message name; fields are named `f<number>` so embedded (`_`) fields cannot collide. */
function buildRoot(): protobuf.Root {
  const root = new protobuf.Root();
  for (const [name, fields] of MESSAGES) {
    const type = new protobuf.Type(name);
    for (const f of fields) {
      type.add(f.map ? new protobuf.MapField(`f${f.number}`, f.number, 'string', f.type)
        : new protobuf.Field(`f${f.number}`, f.number, f.type, f.repeated ? 'repeated' : 'optional'));
    }
    root.add(type);
  }
  root.resolveAll();
  return root;
}

let root: protobuf.Root | undefined;

/** The protobufjs type of a message (built on first use: most servers never see a protobuf body). */
export function messageType(name: string): protobuf.Type | undefined {
  root ??= buildRoot();
  return MESSAGES.has(name) ? root.lookupType(name) : undefined;
}
