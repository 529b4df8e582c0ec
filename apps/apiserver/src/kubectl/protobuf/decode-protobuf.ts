// Decodes the Kubernetes protobuf request bodies that kubectl's typed clients send (`kubectl create deployment|job|
// cronjob|namespace`, `auth can-i`) with no JSON fallback. Format (k8s.io/apimachinery pkg/runtime/serializer/protobuf):
// the magic `k8s\0`, then a runtime.Unknown {typeMeta, raw, contentEncoding, contentType} whose raw is the object's
// message. Any kind in the message tables decodes, into the JSON a JSON body would carry, and then goes through the
// same pipeline; responses stay JSON, which kubectl accepts since it asks for `protobuf,json`.
import protobuf from 'protobufjs';
import { errors, StatusError, type KubeObject } from '@podling/api';
import { MESSAGES, messageType, SPECIAL_MESSAGES } from './message-table.ts';
import { messageJson } from './protobuf-json.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** A kind decodes when the tables have its message (objects, and bodies such as DeleteOptions or Scale). */
const isKnownKind = (kind: string) => MESSAGES.has(kind) && !SPECIAL_MESSAGES.has(kind) && kind !== 'Unknown';

function decodeMessage(name: string, bytes: Uint8Array): Record<string, unknown> {
  const type = messageType(name) as protobuf.Type;
  return messageJson(name, type.toObject(type.decode(bytes), { longs: Number }));
}

/** Decodes a protobuf request body into the JSON shape of the object: 415 for what is not a Kubernetes protobuf
 * envelope, 400 for one that is malformed. */
export function decodeProtobuf(body: Uint8Array): KubeObject {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) {
    throw new StatusError(415, 'UnsupportedMediaType', 'the protobuf body does not start with the k8s\\x00 envelope');
  }
  let envelope: Record<string, unknown>;
  try {
    envelope = decodeMessage('Unknown', body.subarray(4));
  } catch (e) {
    throw errors.badRequest(`the protobuf body could not be decoded: ${(e as Error).message}`);
  }
  const { apiVersion = '', kind = '' } = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  if (!kind) throw errors.badRequest(`Object 'Kind' is missing in the protobuf body`);
  // Every served kind is in the tables (a unit test holds it), so an unknown kind is one no route serves: it comes back
  // as its type alone and the route answers as for JSON (404 for an unserved resource, 400 for a kind mismatch).
  if (!isKnownKind(kind)) return { apiVersion, kind } as KubeObject;
  if (envelope.contentEncoding) {
    throw new StatusError(415, 'UnsupportedMediaType', `unsupported protobuf contentEncoding ${JSON.stringify(envelope.contentEncoding)}`);
  }
  try {
    const object = decodeMessage(kind, (envelope.raw as Uint8Array | undefined) ?? new Uint8Array());
    return { apiVersion, kind, ...object } as KubeObject;
  } catch (e) {
    throw errors.badRequest(`the protobuf ${kind} could not be decoded: ${(e as Error).message}`);
  }
}
