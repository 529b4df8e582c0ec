// Nodes: cluster-scoped; the kubelet creates them with status and owns /status afterwards.
import { defaultNode, isDNS1123Subdomain, syncPodCIDRs, validateNode, validateNodeUpdate, type Node } from '@podling/api';
import { nodePrinter } from '../kubectl/node-table.ts';
import { resetObjectMetaForStatus } from './object-meta.ts';
import { defineResource } from './resource.ts';
import type { Strategy } from './strategy.ts';

export const nodeStrategy: Strategy<Node> = {
  nameValidator: isDNS1123Subdomain,
  tracksGeneration: false,
  returnsDeletedObject: false,
  prepareForCreate(node) { defaultNode(node); },
  validate: (node) => validateNode(node),
  prepareForUpdate(node, old) { node.status = old.status; syncPodCIDRs(node.spec ??= {}); },
  validateUpdate: (node, old) => validateNodeUpdate(node, old),
};

export const nodes = defineResource<Node>({
  group: '', version: 'v1', kind: 'Node', resource: 'nodes', singular: 'node', namespaced: false, shortNames: ['no'],
  strategy: nodeStrategy,
  updateSubresources: {
    status: {
      prepareForUpdate(node, old) { node.spec = old.spec; resetObjectMetaForStatus(node, old); },
      validateUpdate: (node, old) => validateNodeUpdate(node, old),
    },
  },
  printer: nodePrinter,
});
