/**
 * The phone choice page's arithmetic, exact in integer fen: what is chosen, what is left to spend,
 * and for each project whether it can still be added (and why not). Yuan shown from fen without
 * floating point. Pure; tested beside it.
 */
import { fenToYuan } from '@linli/shared';

export interface ChoosableProject {
  id: string;
  costFen: number;
}

export type ProjectAvailability = { chosen: true } | { chosen: false; fits: true } | { chosen: false; fits: false; shortFen: number };

/** Total cost of the chosen ids (unknown ids count 0). */
export function chosenTotal(projects: readonly ChoosableProject[], chosen: ReadonlySet<string>): number {
  return projects.reduce((s, p) => s + (chosen.has(p.id) ? p.costFen : 0), 0);
}

/** What is left of `amountFen` after the chosen projects (never below 0 shown; the server refuses more). */
export function leftToSpend(amountFen: number, projects: readonly ChoosableProject[], chosen: ReadonlySet<string>): number {
  return amountFen - chosenTotal(projects, chosen);
}

/** Whether a project can be added now: chosen, fits what is left, or short by `shortFen`. */
export function availability(
  p: ChoosableProject,
  amountFen: number,
  projects: readonly ChoosableProject[],
  chosen: ReadonlySet<string>,
): ProjectAvailability {
  if (chosen.has(p.id)) return { chosen: true };
  const left = leftToSpend(amountFen, projects, chosen);
  return p.costFen <= left ? { chosen: false, fits: true } : { chosen: false, fits: false, shortFen: p.costFen - left };
}

/** "12,345.67" from fen, grouped by the locale, exact (integer yuan grouped by Intl, fen appended). */
export function yuanText(fen: number, locale: string): string {
  const [whole, cents] = fenToYuan(Math.abs(fen)).split('.') as [string, string];
  const grouped = new Intl.NumberFormat(locale, { useGrouping: true, maximumFractionDigits: 0 }).format(BigInt(whole));
  const dec = new Intl.NumberFormat(locale).formatToParts(1.5).find((x) => x.type === 'decimal')?.value ?? '.';
  return `${fen < 0 ? '-' : ''}${grouped}${dec}${cents}`;
}
