// Kubernetes resource quantities (apimachinery pkg/api/resource): `<sign><digits>[.<digits>]<suffix>` where the suffix
// is binary (Ki..Ei), decimal SI (n u m "" k M G T P E) or a decimal exponent (e3, E-2). Parsed to a JS number
// of base units (cores for cpu, bytes for memory); precision beyond float64 is not needed for scheduling.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY_RE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Parses a quantity; throws Error on anything Kubernetes would reject. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
    return q;
  }
  const m = QUANTITY_RE.exec(q.trim() === q ? q : '');
  if (!m) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix in BINARY) return n * BINARY[suffix];
  if (suffix in DECIMAL) return n * DECIMAL[suffix];
  return n * 10 ** Number(suffix.slice(1));
}

export function isValidQuantity(q: unknown): boolean {
  if (typeof q !== 'string' && typeof q !== 'number') return false;
  try { parseQuantity(q); return true; } catch { return false; }
}

/** Cores → canonical text: whole cores bare (`2`), otherwise millicores (`500m`). */
export function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes → the largest binary suffix that divides exactly (`128Mi`), else plain bytes. */
export function formatMemory(bytes: number): string {
  const b = Math.round(bytes);
  for (const suffix of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    const unit = BINARY[suffix];
    if (b !== 0 && b % unit === 0) return `${b / unit}${suffix}`;
  }
  return String(b);
}
