// Ticks for the absolute wall-clock axis (x in Unix seconds): round moments of the clock (every
// 15 min, every 6 h, midnight) rather than Chart.js's evenly spaced numbers, labelled by what
// changes between them: the time of day, with the date where a day begins, or the date alone once
// the ticks are days apart (as TensorBoard's and W&B's wall-time axes read). Pure, so it is tested.

export interface DateTick {
  /** Unix seconds. */
  value: number;
  label: string;
}

/** Whether the labels are in the viewer's time zone (the dashboard) or in UTC (tests, CSV-like text). */
export type TimeZone = 'local' | 'utc';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** Tick spacings tried in order, in seconds: the first that gives at most `maxTicks` ticks is used. */
const SPACINGS = [
  1,
  2,
  5,
  10,
  15,
  30,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  91 * DAY,
  365 * DAY,
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function partsOf(seconds: number, zone: TimeZone): Parts {
  const d = new Date(seconds * 1000);
  return zone === 'utc'
    ? { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() }
    : { year: d.getFullYear(), month: d.getMonth(), day: d.getDate(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds() };
}

/** Unix seconds of a calendar moment in the zone (Date normalises overflowing days and hours). */
function secondsOf(p: Parts, zone: TimeZone): number {
  const ms =
    zone === 'utc' ? Date.UTC(p.year, p.month, p.day, p.hour, p.minute, p.second) : new Date(p.year, p.month, p.day, p.hour, p.minute, p.second).getTime();
  return ms / 1000;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `1 Jun`, with the year when it is not the year of the axis's start. */
function dateText(p: Parts, withYear: boolean): string {
  return `${p.day} ${MONTHS[p.month]}${withYear ? ` ${p.year}` : ''}`;
}

/** `14:30`, `14:30:15` when the spacing is under a minute. */
function timeText(p: Parts, seconds: boolean): string {
  return `${pad(p.hour)}:${pad(p.minute)}${seconds ? `:${pad(p.second)}` : ''}`;
}

/**
 * Ticks between `min` and `max` (Unix seconds, inclusive) at the roundest spacing that gives at
 * most `maxTicks`: sub-day spacings counted from midnight, day spacings from midnight of a day,
 * months from the 1st. A tick where a new day begins (or the first tick) carries the date.
 */
export function dateTicks(min: number, max: number, maxTicks: number, zone: TimeZone = 'local'): DateTick[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  const span = Math.max(max - min, 1);
  const limit = Math.max(2, Math.floor(maxTicks));
  const spacing = SPACINGS.find((s) => span / s <= limit - 1) ?? Math.ceil(span / (limit - 1) / (365 * DAY)) * 365 * DAY;
  const start = partsOf(min, zone);
  const values: number[] = [];
  if (spacing < DAY) {
    // Counted from the midnight of the first day, so 6 h ticks fall on 00, 06, 12 and 18.
    const midnight = secondsOf({ ...start, hour: 0, minute: 0, second: 0 }, zone);
    for (let t = midnight + Math.ceil((min - midnight) / spacing) * spacing; t <= max && values.length <= limit * 2; t += spacing) values.push(t);
  } else if (spacing < 30 * DAY) {
    const days = spacing / DAY;
    for (let k = 0, t = secondsOf({ ...start, hour: 0, minute: 0, second: 0 }, zone); t <= max && values.length <= limit * 2; k++) {
      t = secondsOf({ ...start, day: start.day + k * days, hour: 0, minute: 0, second: 0 }, zone);
      if (t >= min && t <= max) values.push(t);
    }
  } else {
    const months = Math.round(spacing / (30 * DAY)) || 1;
    for (let k = 0, t = min; t <= max && values.length <= limit * 2; k++) {
      t = secondsOf({ ...start, month: start.month + k * months, day: 1, hour: 0, minute: 0, second: 0 }, zone);
      if (t >= min && t <= max) values.push(t);
    }
  }
  const startYear = start.year;
  let previousDay = '';
  return values.map((value) => {
    const p = partsOf(value, zone);
    const day = `${p.year}-${p.month}-${p.day}`;
    const newDay = day !== previousDay;
    previousDay = day;
    const date = dateText(p, p.year !== startYear);
    let label: string;
    if (spacing >= 30 * DAY) label = `${MONTHS[p.month]} ${p.year}`;
    else if (spacing >= DAY) label = date;
    else label = newDay ? `${date} ${timeText(p, spacing < MINUTE)}` : timeText(p, spacing < MINUTE);
    return { value, label };
  });
}

/** A moment as the tooltip says it: `1 Jun 2025 14:30:05`. */
export function dateTimeText(seconds: number, zone: TimeZone = 'local'): string {
  const p = partsOf(seconds, zone);
  return `${dateText(p, true)} ${timeText(p, true)}`;
}
