// No imports: the web app shows these names too.

/** HL7 v3 PurposeOfUse codes Kith names in words (sign-in page, messages, audit screens). */
export const PURPOSE_NAMES: Record<string, string> = {
  TREAT: 'treatment',
  ETREAT: 'emergency treatment (break-glass)',
  CAREMGT: 'care management',
  COC: 'coordination of care',
  HPAYMT: 'payment',
  HOPERAT: 'health care operations',
  HSYSADMIN: 'system administration',
  PUBHLTH: 'public health',
  HRESCH: 'research',
  BTG: 'break the glass',
};

export const purposeName = (code: string): string =>
  PURPOSE_NAMES[code] ? `${PURPOSE_NAMES[code]} (${code})` : code;
