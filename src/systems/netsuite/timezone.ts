/**
 * SuiteQL prints (`TO_CHAR`) and parses (`TO_TIMESTAMP`) datetimes in the executing user's time-zone
 * preference, not UTC (api notes §3, trap 3). These convert between instants and that wall-clock
 * time, `YYYY-MM-DD HH:MM:SS`, for an IANA zone, DST included.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time of `date` in `timeZone`, `YYYY-MM-DD HH:MM:SS` (whole seconds, truncated). */
export function toZoned(date: Date, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(date)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

function wallMs(text: string): number {
  const m = WALL.exec(text.trim());
  if (!m) throw new TypeError(`not a YYYY-MM-DD HH:MM:SS datetime: ${JSON.stringify(text)}`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** Offset of `timeZone` from UTC at instant `ms`, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  return wallMs(toZoned(new Date(ms - (ms % 1000)), timeZone)) - (ms - (ms % 1000));
}

/**
 * The instant a wall-clock time in `timeZone` stands for. In the hour repeated when DST ends the
 * earlier instant is chosen; a time skipped when DST starts moves forward by the gap.
 */
export function fromZoned(text: string, timeZone: string): Date {
  const wall = wallMs(text);
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  const candidates = [first, second].filter((c) => wallMs(toZoned(new Date(c), timeZone)) === wall);
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  return new Date(Math.max(first, second));
}
