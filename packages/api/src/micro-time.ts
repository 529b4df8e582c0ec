// metav1.MicroTime as it marshals: RFC 3339 with six fractional digits (Leases' acquireTime and renewTime).
export function microTime(at: Date | number = new Date()): string {
  return new Date(at).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
