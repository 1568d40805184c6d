/** Display formats: short, fixed and locale-independent, so tables line up and tests can read them. */

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return value.toFixed(digits).replace(/\.0+$/, '');
}

export function formatMoney(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return '–';
  return `$${value.toFixed(value > 0 && value < 0.01 ? 4 : digits)}`;
}

export function formatShare(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return `${Math.round(value * 100)}%`;
}

/** `42s`, `7m`, `3h 5m`, `2d 4h`. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** An ISO time as `YYYY-MM-DD HH:MM:SS` UTC. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** How long before `now` an ISO time was, as an age. */
export function formatAgo(iso: string | null | undefined, now: string): string {
  if (!iso) return 'never';
  return `${formatAge((Date.parse(now) - Date.parse(iso)) / 1000)} ago`;
}
