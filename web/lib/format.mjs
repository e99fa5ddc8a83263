// How values read in the console: statuses, causes, times.

/** SPEC §4 statuses: label and tone (badge colour). */
export const STATUS = {
  not_connected: { label: 'Not connected', tone: 'neutral' },
  connected: { label: 'Connected', tone: 'ok' },
  degraded: { label: 'Degraded', tone: 'warn' },
  lost: { label: 'Connection lost', tone: 'bad' },
  disabled: { label: 'Disabled by admin', tone: 'off' },
};

/** SPEC §4 causes: a short title (the message and action come from the edge). */
export const CAUSE = {
  provider_unavailable: 'Provider unavailable',
  authorization_revoked: 'Authorization revoked',
  credentials_rejected: 'Credentials rejected',
  client_misconfigured: 'App misconfigured',
  connector_error: 'Connector error',
};

export const statusLabel = (status) => STATUS[status]?.label ?? String(status ?? 'Unknown');
export const statusTone = (status) => STATUS[status]?.tone ?? 'neutral';
export const causeLabel = (cause) => CAUSE[cause] ?? String(cause ?? '').replace(/_/g, ' ');

const relative = typeof Intl !== 'undefined' && Intl.RelativeTimeFormat
  ? new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
  : null;
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Epoch seconds or an ISO string → Date (null if absent). */
export function toDate(value) {
  if (value === null || value === undefined || value === '') return null;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "in 54 minutes", "3 hours ago". */
export function fromNow(value, now = Date.now()) {
  const date = toDate(value);
  if (!date) return '';
  const seconds = Math.round((date.getTime() - now) / 1000);
  const units = [['year', 31536000], ['month', 2592000], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      const n = Math.round(seconds / size);
      return relative ? relative.format(n, unit) : `${n} ${unit}(s)`;
    }
  }
  return '';
}

const thisYear = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

/** "Nov 22, 2025, 4:31 AM". */
export function when(value) {
  const date = toDate(value);
  return date ? absolute.format(date) : '';
}

/** "Nov 22, 4:31 AM" this year, else with the year. */
export function short(value) {
  const date = toDate(value);
  if (!date) return '';
  return date.getFullYear() === new Date().getFullYear() ? thisYear.format(date) : absolute.format(date);
}

const toTheSecond = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** "Nov 22, 2025, 4:31:07 AM": for logs, where entries a second apart must read apart. */
export function exact(value) {
  const date = toDate(value);
  return date ? toTheSecond.format(date) : '';
}

/** ISO 8601 for <time datetime>. */
export function iso(value) {
  return toDate(value)?.toISOString() ?? '';
}

/** Seconds as "1 hour", "90 seconds", "2 days". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '';
  const units = [['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

