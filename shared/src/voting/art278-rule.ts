/**
 * The Art. 278 rule test without zod, so that phone components (TallyBars through `ballotOutlook`)
 * can import it without pulling every schema into the phone bundle.
 */

/** The two Civil Code Art. 278 rules (owners by number AND by area). */
export type Art278Rule = 'civil_code_278_ordinary' | 'civil_code_278_major';
export function isArt278(rule: string): rule is Art278Rule {
  return rule === 'civil_code_278_ordinary' || rule === 'civil_code_278_major';
}
