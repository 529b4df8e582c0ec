// A CronJob's schedule as Kubernetes reads it (robfig/cron ParseStandard, k/k pkg/controller/cronjob/utils.go):
// five fields, or @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly, or `@every <duration>`, evaluated
// in spec.timeZone — or in a `CRON_TZ=`/`TZ=` prefix, which only objects from before the timeZone field carry —
// else in UTC (kube-controller-manager's usual local zone). The field syntax itself is cron-parser's (Vixie cron
// semantics, as robfig/cron: names, ranges, steps, `?`, day-of-month OR day-of-week when both are restricted).
import { parseDuration, rfc3339 } from '@podling/api';
import { CronExpressionParser } from 'cron-parser';

export interface CronSchedule {
  /** The first schedule time strictly after `t` (ms). */
  next(t: number): number;
  /** The latest schedule time at or before `now` among those after `after`, if any. */
  latest(after: number, now: number): number | undefined;
}

/** robfig/cron's ConstantDelaySchedule: every `d` from the reference time, on whole seconds. */
function every(d: number): CronSchedule {
  const step = Math.max(1000, Math.round(d / 1000) * 1000);
  return {
    next: (t) => Math.floor(t / 1000) * 1000 + step,
    latest: (after, now) => (now - after < step ? undefined : Math.floor(after / 1000) * 1000 + Math.floor((now - Math.floor(after / 1000) * 1000) / step) * step),
  };
}

/** Throws an Error with robfig-like wording when the schedule or zone cannot be used. */
export function parseSchedule(schedule: string, timeZone?: string | null): CronSchedule {
  let expr = schedule.trim();
  let tz = timeZone ?? undefined;
  const prefix = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(expr);
  if (prefix) { tz ??= prefix[1]; expr = expr.slice(prefix[0].length); }
  if (expr.startsWith('@every ')) return every(parseDuration(expr.slice(7).trim()));
  if (expr === '@midnight') expr = '@daily';
  const zone = tz ?? 'UTC';
  if (!validTimeZone(zone)) throw new Error(`unknown time zone ${zone}`);
  if (!expr.startsWith('@') && expr.split(/\s+/).length !== 5) throw new Error(`expected exactly 5 fields, found ${expr.split(/\s+/).length}: [${expr}]`);
  CronExpressionParser.parse(expr, { tz: zone }); // throws on a bad field
  const at = (t: number) => CronExpressionParser.parse(expr, { currentDate: new Date(t), tz: zone });
  return {
    next: (t) => at(t).next().getTime(),
    latest: (after, now) => {
      const t = at(now + 1).prev().getTime();
      return t > after ? t : undefined;
    },
  };
}

export function validTimeZone(tz: string): boolean {
  try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; }
}

/** How many schedule times fall in (after, now], counting at most `cap` + 1 (k/k warns past 100 missed starts). */
export function countMissed(s: CronSchedule, after: number, now: number, cap = 100): number {
  let n = 0;
  for (let t = s.next(after); t <= now && n <= cap; t = s.next(t)) n++;
  return n;
}

/** Go's time.RFC3339 of `ms` in zone `tz` (`Z` for UTC, else `+hh:mm`), for the scheduled-timestamp annotation. */
export function rfc3339In(ms: number, tz: string | undefined): string {
  if (!tz || tz === 'UTC' || tz === 'Etc/UTC') return rfc3339(ms);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const offset = parts.timeZoneName === 'GMT' ? 'Z' : parts.timeZoneName.replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

/** Go's time.RFC1123Z in UTC, as k/k words the MissSchedule event. */
export function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
