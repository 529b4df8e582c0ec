// Nodes: cluster-scoped; the kubelet creates them with status and owns /status afterwards.
import { defaultNode, isDNS1123Subdomain, validateNode, validateNodeUpdate, type Node } from '@podling/api';
import type { Strategy } from './strategy.ts';
import { resetObjectMetaForStatus } from './object-meta.ts';

export const nodeStrategy: Strategy<Node> = {
  resource: 'nodes', apiVersion: 'v1', kind: 'Node', listKind: 'NodeList', namespaced: false, singular: 'node',
  nameValidator: isDNS1123Subdomain,
  tracksGeneration: false,
  returnsDeletedObject: false,
  prepareForCreate(node) { defaultNode(node); },
  validate: (node) => validateNode(node),
  prepareForUpdate(node, old) { node.status = old.status; },
  validateUpdate: (node, old) => validateNodeUpdate(node, old),
  status: {
    prepareForUpdate(node, old) { node.spec = old.spec; resetObjectMetaForStatus(node, old); },
    validateUpdate: (node, old) => validateNodeUpdate(node, old),
  },
};
