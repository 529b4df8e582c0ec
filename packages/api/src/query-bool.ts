// A boolean query parameter as kube-apiserver and the kubelet read it (k8s.io/apimachinery pkg/runtime
// Convert_Slice_string_To_bool): absent is false, `0` and `false` in any case are false, anything else — `True` from
// the Python client, even an empty value — is true. The apiserver and the agent's log endpoint share this rule.
export function queryBool(v: string | null | undefined): boolean {
  if (v === undefined || v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}
