// Soliguide opening hours → OSM opening_hours, transcribed from data·inclusion's UDF
//   gip-inclusion/data-inclusion @ d4969e37  pipeline/dbt/macros/udfs/soliguide/opening_hours.py
//   (processings.soliguide_opening_hours, used by int_soliguide__{structures,services}_v1.sql; its tests:
//   test_opening_hours.py)
// on Soliguide's shape (solinumasso/soliguide @ ef581c26 packages/common/src/hours/classes/
// CommonOpeningHours.class.ts, CommonDayOpeningHours.class.ts, CommonTimeSlot.class.ts): seven days
// `{open, timeslot: [{start, end}]}` with times as integers `hmm` (830 = 08:30), a free-text `description`
// and `closedHolidays` CLOSED | OPEN | UNKNOWN.
//
// As DI's: every day is written (`Mo 08:30-12:00,14:00-17:00 open` or `Mo closed`), days joined by ", ";
// a non-empty description is appended as `; <description>`; `closedHolidays` adds `; PH closed` / `; PH open`.
// Where DI's pydantic model would reject the payload (a day missing, a time not an integer) the UDF raises;
// Passerelle answers no hours instead (the record is kept without `horaires_accueil`).
import { isObject, type Json } from './common';

/** What DI writes for a temporarily closed place (int_soliguide__*_v1.sql). */
export const TEMPORARILY_CLOSED = 'closed "fermeture temporaire"';

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/** pydantic's lax `int`: an integer, or a string of one. */
function integer(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/** `830` → `08:30` (Python's `str(n).zfill(4)` then `hh:mm`). */
function time(value: number): string {
  const text = String(value).padStart(4, '0');
  return `${text.slice(0, 2)}:${text.slice(2)}`;
}

function day(name: string, schedule: unknown): string | undefined {
  if (!isObject(schedule) || typeof schedule.open !== 'boolean' || !Array.isArray(schedule.timeslot)) return undefined;
  const abbr = name.slice(0, 2).replace(/^./, (c) => c.toUpperCase());
  const slots: string[] = [];
  for (const slot of schedule.timeslot) {
    if (!isObject(slot)) return undefined;
    const start = integer(slot.start);
    const end = integer(slot.end);
    if (start === undefined || end === undefined) return undefined;
    slots.push(`${time(start)}-${time(end)}`);
  }
  if (!schedule.open) return `${abbr} closed`;
  return `${abbr} ${slots.join(',')} open`;
}

/**
 * DI's `fuzzy_enum_validator`: `difflib.get_close_matches(value, ["CLOSED", "OPEN", "UNKNOWN"], n=1)` (ratio
 * ≥ 0.6), else the value itself (then rejected by the enum). Soliguide writes the exact enum values; the
 * near-misses this accepts are the ones whose similarity ratio reaches 0.6.
 */
function holidays(value: unknown): 'CLOSED' | 'OPEN' | 'UNKNOWN' | undefined {
  if (value === undefined || value === null) return 'UNKNOWN';
  if (typeof value !== 'string') return undefined;
  let best: { option: 'CLOSED' | 'OPEN' | 'UNKNOWN'; ratio: number } | undefined;
  for (const option of ['CLOSED', 'OPEN', 'UNKNOWN'] as const) {
    const ratio = similarity(value, option);
    if (ratio >= 0.6 && (!best || ratio > best.ratio)) best = { option, ratio };
  }
  return best?.option;
}

/** difflib.SequenceMatcher(None, a, b).ratio() without junk heuristics: 2·matches / (|a| + |b|). */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const matches = (x: string, y: string): number => {
    if (!x || !y) return 0;
    // longest common substring, then recurse on both sides (difflib's find_longest_match / get_matching_blocks)
    let bestI = 0;
    let bestJ = 0;
    let bestSize = 0;
    for (let i = 0; i < x.length; i++) {
      for (let j = 0; j < y.length; j++) {
        let k = 0;
        while (i + k < x.length && j + k < y.length && x[i + k] === y[j + k]) k++;
        if (k > bestSize) [bestI, bestJ, bestSize] = [i, j, k];
      }
    }
    if (bestSize === 0) return 0;
    return bestSize + matches(x.slice(0, bestI), y.slice(0, bestJ)) + matches(x.slice(bestI + bestSize), y.slice(bestJ + bestSize));
  };
  return (2 * matches(a, b)) / (a.length + b.length);
}

/** Soliguide hours as OSM opening_hours (DI's `to_osm`), or undefined when DI's model would reject them. */
export function toOsmOpeningHours(hours: unknown): string | undefined {
  if (!isObject(hours)) return undefined;
  const days: string[] = [];
  for (const name of WEEKDAYS) {
    const text = day(name, (hours as Json)[name]);
    if (text === undefined) return undefined;
    days.push(text);
  }
  const description = hours.description;
  if (description !== undefined && description !== null && typeof description !== 'string') return undefined;
  const closedHolidays = holidays(hours.closedHolidays);
  if (closedHolidays === undefined) return undefined;
  let result = days.join(', ');
  if (description) result += `; ${description}`;
  if (closedHolidays === 'CLOSED') result += '; PH closed';
  else if (closedHolidays === 'OPEN') result += '; PH open';
  return result;
}
