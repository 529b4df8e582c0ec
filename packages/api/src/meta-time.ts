// How apimachinery marshals time (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/time.go and micro_time.go).

/** metav1.Time: RFC 3339 at whole seconds, UTC (creationTimestamp, conditions, events' timestamps). A string is an
 *  ISO time whose fraction is dropped. */
export function rfc3339(at: Date | number | string = new Date()): string {
  const iso = typeof at === 'string' ? at : (at instanceof Date ? at : new Date(at)).toISOString();
  return iso.replace(/\.\d+Z$/, 'Z');
}

/** metav1.MicroTime: RFC 3339 with six fractional digits (Leases' acquireTime and renewTime). */
export function microTime(at: Date | number = new Date()): string {
  return new Date(at).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
