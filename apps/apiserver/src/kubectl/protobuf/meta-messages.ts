// meta/v1 (ObjectMeta, LabelSelector, DeleteOptions), autoscaling/v1 Scale and authorization/v1 SelfSubjectAccessReview,
// as protobuf messages: field numbers from the `protobuf:"…"` struct tags of k8s.io/apimachinery pkg/apis/meta/v1/types.go,
// k8s.io/api autoscaling/v1/types.go and authorization/v1/types.go; the envelope (TypeMeta, Unknown) from
// k8s.io/apimachinery pkg/runtime/types.go. Notation: message-table.ts.
import type { MessageTable } from './message-table.ts';

export const META_MESSAGES: MessageTable = {
  DeleteOptions: 'gracePeriodSeconds=1:i? preconditions=2:Preconditions orphanDependents=3:b? propagationPolicy=4? dryRun=5[] ignoreStoreReadErrorWithClusterBreakingPotential=6:b?',
  FieldSelectorAttributes: 'rawSelector=1 requirements=2:FieldSelectorRequirement[]',
  FieldSelectorRequirement: 'key=1 operator=2 values=3[]',
  LabelSelector: 'matchLabels=1:{} matchExpressions=2:LabelSelectorRequirement[]',
  LabelSelectorAttributes: 'rawSelector=1 requirements=2:LabelSelectorRequirement[]',
  LabelSelectorRequirement: 'key=1 operator=2 values=3[]',
  ManagedFieldsEntry: 'manager=1 operation=2 apiVersion=3 time=4:Time fieldsType=6 fieldsV1=7:FieldsV1 subresource=8',
  NonResourceAttributes: 'path=1 verb=2',
  ObjectMeta: 'name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7:i creationTimestamp=8:Time deletionTimestamp=9:Time deletionGracePeriodSeconds=10:i? labels=11:{} annotations=12:{} ownerReferences=13:OwnerReference[] finalizers=14[] managedFields=17:ManagedFieldsEntry[]',
  OwnerReference: 'apiVersion=5 kind=1 name=3 uid=4 controller=6:b? blockOwnerDeletion=7:b?',
  Preconditions: 'uid=1? resourceVersion=2?',
  ResourceAttributes: 'namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7 fieldSelector=8:FieldSelectorAttributes labelSelector=9:LabelSelectorAttributes',
  Scale: 'metadata=1:ObjectMeta spec=2:ScaleSpec status=3:ScaleStatus',
  ScaleSpec: 'replicas=1:i',
  ScaleStatus: 'replicas=1:i selector=2',
  SelfSubjectAccessReview: 'metadata=1:ObjectMeta spec=2:SelfSubjectAccessReviewSpec status=3:SubjectAccessReviewStatus',
  SelfSubjectAccessReviewSpec: 'resourceAttributes=1:ResourceAttributes nonResourceAttributes=2:NonResourceAttributes',
  SubjectAccessReviewStatus: 'allowed=1:b denied=4:b reason=2 evaluationError=3',
  TypeMeta: 'apiVersion=1 kind=2',
  Unknown: 'typeMeta=1:TypeMeta raw=2:B contentEncoding=3 contentType=4',
};
