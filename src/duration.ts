/** Durations as operators write them: `90d`, `12h`, `30m`, `45s`, or a bare number of seconds. */
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds in a duration like `90d`, `12h`, `30m`, `45s` or `3600`; undefined when it is not one, or not > 0. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d{1,9})\s*([smhd]?)\s*$/i.exec(text);
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNITS[(match[2] || 's').toLowerCase()];
  return seconds > 0 ? seconds : undefined;
}

/** The shortest exact form: 31536000 → `365d`, 5400 → `90m`. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
