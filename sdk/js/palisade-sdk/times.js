// Local clock arithmetic on event times (microseconds since the epoch) at
// fixed UTC offsets: a component has no time zone database to read.

const MICROS_PER_MINUTE = 60_000_000;
const OFFSET = /^(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** Minutes east of UTC for "+05:30", "-0800", "UTC+1", "Z" or "UTC". */
export function parseOffset(text) {
  text = String(text).trim();
  if (["Z", "UTC", "+00:00", ""].includes(text)) return 0;
  const m = OFFSET.exec(text);
  if (!m) throw new Error(`"${text}" is not a UTC offset such as +01:00 or -05:00`);
  const total = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (total > 14 * 60) throw new Error(`"${text}" is beyond the largest UTC offset, 14 hours`);
  return m[1] === "-" ? -total : total;
}

const localMinutes = (micros, offset) => Math.floor(micros / MICROS_PER_MINUTE) + offset;
const mod = (a, n) => ((a % n) + n) % n;

/** The local hour (0-23) of an event time at a UTC offset in minutes. */
export const hourOfDay = (micros, offset = 0) => mod(Math.floor(localMinutes(micros, offset) / 60), 24);

/** The local day of the week, Monday 0 to Sunday 6. */
export const weekday = (micros, offset = 0) => mod(Math.floor(localMinutes(micros, offset) / 1440) + 3, 7);

/** Days since 1970-01-01 in local time: a key for "once a day". */
export const dayNumber = (micros, offset = 0) => Math.floor(localMinutes(micros, offset) / 1440);
