// Go/Kubernetes duration strings (`time.ParseDuration`), the form every Kubernetes duration flag takes:
// `1m30s`, `300ms`, `1.5h`, `-2s`, `0`. Units: ns, us (µs, μs), ms, s, m, h. Parsed to milliseconds (fractions kept
// for sub-millisecond units). Errors carry Go's texts so a flag problem reads as it would in Kubernetes.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000,
};

const TERM_RE = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/** Parses a Go duration string into milliseconds; throws Error on anything Go's ParseDuration rejects. */
export function parseDuration(text: string): number {
  const quoted = JSON.stringify(text);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0;
  while (s !== '') {
    const m = TERM_RE.exec(s)!;
    const [whole, int, frac, unit] = m;
    // A term needs digits on at least one side of the dot: ".5s" and "5.s" are fine, "." is not.
    if (int === '' && (frac === undefined || frac === '')) throw new Error(`time: invalid duration ${quoted}`);
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const perUnit = UNIT_MS[unit];
    if (perUnit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    total += Number(`${int || '0'}.${frac || '0'}`) * perUnit;
    s = s.slice(whole.length);
  }
  // Go's Duration is an int64 of nanoseconds: about 292 years.
  if (total > 9_223_372_036_854) throw new Error(`time: invalid duration ${quoted}`);
  return sign * total;
}

/** Milliseconds → Go's canonical String() form (`1m30s`, `300ms`, `0s`); used for logs and defaults in help text. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${trim(rest)}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = trim(rest / 1000);
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}
