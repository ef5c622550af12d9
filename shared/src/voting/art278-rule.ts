/**
 * The Art. 278 rule test without zod, so that phone components (TallyBars through `ballotOutlook`)
 * can import it without pulling every schema into the phone bundle.
 */

/** The two Civil Code Art. 278 rules (owners by number AND by area). */
export const ART278_RULES = ['civil_code_278_ordinary', 'civil_code_278_major'] as const;
export function isArt278(rule: string): rule is (typeof ART278_RULES)[number] {
  return rule === 'civil_code_278_ordinary' || rule === 'civil_code_278_major';
}
