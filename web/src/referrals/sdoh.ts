/** The SDOH domains a referral is categorized by (HL7 Gravity SDOH Clinical Care temporary codes). */
export const SDOH_SYSTEM =
  'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes';

export const SDOH_CATEGORIES: { code: string; display: string }[] = [
  { code: 'food-insecurity', display: 'Food insecurity' },
  { code: 'housing-instability', display: 'Housing instability' },
  { code: 'homelessness', display: 'Homelessness' },
  { code: 'inadequate-housing', display: 'Inadequate housing' },
  { code: 'transportation-insecurity', display: 'Transportation insecurity' },
  { code: 'financial-insecurity', display: 'Financial insecurity' },
  { code: 'utility-insecurity', display: 'Utility insecurity' },
  { code: 'employment-status', display: 'Employment status' },
  { code: 'educational-attainment', display: 'Educational attainment' },
  { code: 'health-insurance-coverage-status', display: 'Health insurance coverage status' },
  { code: 'intimate-partner-violence', display: 'Intimate partner violence' },
  { code: 'elder-abuse', display: 'Elder abuse' },
  { code: 'social-connection', display: 'Social connection' },
  { code: 'stress', display: 'Stress' },
  { code: 'veteran-status', display: 'Veteran status' },
  { code: 'digital-access', display: 'Digital access' },
  { code: 'sdoh-category-unspecified', display: 'Other social need' },
];

export function sdohDisplay(code: string | null | undefined): string {
  if (!code) return 'No category';
  return SDOH_CATEGORIES.find((c) => c.code === code)?.display ?? code;
}
