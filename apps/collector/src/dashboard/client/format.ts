// Numbers as people read them: grouped thousands, whole percentages, short decimals.

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const oneDecimal = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const formatInt = (value: number): string => integer.format(value);
export const formatNumber = (value: number): string => compact.format(value);
export const formatRate = (value: number): string => oneDecimal.format(value);
export const formatPercent = (rate: number): string => `${Math.round(rate * 100)}%`;

/** 5 → "5", 5.8912 → "5.8912": thresholds keep the precision the recommender gave them. */
export const formatThreshold = (value: number): string => String(value);

export function formatHours(hours: number | null): string {
  return hours === null ? "–" : `${oneDecimal.format(hours)} h`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}

/** config_tuning → "config tuning": wire enums read better with spaces. */
export const humanize = (name: string): string => name.replaceAll("_", " ");
