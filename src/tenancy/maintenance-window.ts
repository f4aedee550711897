// Maintenance windows of rollout waves: parsed once, by RolloutPlan at synth (a window that does not
// parse is refused there) and by `kmetal plan`, which flags a change that rolls machines outside the
// window of its wave. Flux cannot hold a change until a time, so the window is checked for reviewers.
// Windows are in UTC only: the library carries no time-zone database, and a plan run in CI must give
// the same answer wherever it runs.

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const SYNTAX = /^\s*(daily|[A-Za-z]{3}(?:-[A-Za-z]{3})?(?:,[A-Za-z]{3}(?:-[A-Za-z]{3})?)*)\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})\s+UTC\s*$/;

/** A parsed window: the days it opens on and its times, in minutes after midnight UTC. @internal */
export interface ParsedMaintenanceWindow {
  /** Days the window opens on (0 = Sunday). */
  readonly days: ReadonlySet<number>;
  readonly startMinute: number;
  /** After `startMinute`, or not: a window that ends at or before its start runs past midnight into the next day. */
  readonly endMinute: number;
}

/** How windows are written, for error messages. @internal */
export const MAINTENANCE_WINDOW_SYNTAX = '"<days> HH:MM-HH:MM UTC", days "daily", "Sat", "Tue-Thu" or "Mon,Wed,Fri-Sun", e.g. "Sat 02:00-06:00 UTC" or "daily 22:00-02:00 UTC"';

/** The window written as `text`, or why it is not one. @internal */
export function parseMaintenanceWindow(text: string): ParsedMaintenanceWindow | string {
  const m = SYNTAX.exec(text);
  if (!m) return `it is not written ${MAINTENANCE_WINDOW_SYNTAX}`;
  const days = new Set<number>();
  if (m[1].toLowerCase() === 'daily') {
    for (let d = 0; d < 7; d++) days.add(d);
  } else {
    for (const part of m[1].toLowerCase().split(',')) {
      const [from, to] = part.split('-');
      const a = DAYS.indexOf(from);
      const b = to === undefined ? a : DAYS.indexOf(to);
      if (a < 0 || b < 0) return `${JSON.stringify(a < 0 ? from : to)} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)`;
      // A range may wrap around the week (Fri-Mon).
      for (let d = a; ; d = (d + 1) % 7) {
        days.add(d);
        if (d === b) break;
      }
    }
  }
  const [sh, sm, eh, em] = [m[2], m[3], m[4], m[5]].map(Number);
  if (sh > 23 || sm > 59 || eh > 24 || em > 59 || (eh === 24 && em > 0)) return `${m[2]}:${m[3]}-${m[4]}:${m[5]} is not a time range (00:00 to 24:00)`;
  const startMinute = sh * 60 + sm;
  const endMinute = eh * 60 + em;
  if (startMinute === endMinute) return 'it opens and closes at the same time';
  return { days, startMinute, endMinute };
}

/** Whether `at` falls inside the window (start inclusive, end exclusive). @internal */
export function isInMaintenanceWindow(window: ParsedMaintenanceWindow, at: Date): boolean {
  const day = at.getUTCDay();
  const minute = at.getUTCHours() * 60 + at.getUTCMinutes();
  if (window.endMinute > window.startMinute) {
    return window.days.has(day) && minute >= window.startMinute && minute < window.endMinute;
  }
  // Past midnight: open from the start on a listed day, or before the end on the day after one.
  return (window.days.has(day) && minute >= window.startMinute) || (window.days.has((day + 6) % 7) && minute < window.endMinute);
}
