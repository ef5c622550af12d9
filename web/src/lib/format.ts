/** Numbers, areas and dates in the reader's locale (Intl), from exact integer inputs. */
import { getLocale } from '$lib/paraglide/runtime.js';

/** Area from integer hundredths of a m², e.g. 12345 → "123.45" (zh) / "123.45" (en) with grouping. */
export function formatArea(centiares: number, locale: string = getLocale()): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: 2 }).format(centiares / 100);
}

export function formatNumber(n: number, locale: string = getLocale()): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** A share like 2/3 as a percentage with one decimal, never rounding a shortfall up to the threshold. */
export function formatPercent(part: number, whole: number, locale: string = getLocale()): string {
  if (whole <= 0) return '—';
  const tenths = Math.floor((part * 1000) / whole) / 10;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(tenths) + '%';
}

export function formatDateTime(at: number | string | Date, locale: string = getLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }).format(new Date(at));
}

export function formatDate(at: number | string | Date, locale: string = getLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(new Date(at));
}

/** A list of words joined the locale's way: "业主、住户和租户" / "owner, resident, and tenant" (never a hard-coded 、). */
export function formatList(items: readonly string[], locale: string = getLocale()): string {
  return new Intl.ListFormat(locale, { type: 'conjunction' }).format(items);
}
