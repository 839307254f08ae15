import type { CodeableConcept, Extension, HealthcareService } from '@medplum/fhirtypes';
import { EXT_ACCEPTS_REFERRALS, EXT_ACCEPTS_REFERRALS_SOURCE } from '../extensions';
import { text, type HsdsRow, type HsdsTables } from './tables';

/**
 * Where HSDS data says a service takes electronic referrals. HSDS 3.0 has no field for it, so
 * publishers say it with a taxonomy term attached (an attribute) to the service, one of its
 * service_at_location rows or its organization — a term whose code or name reads "electronic
 * referral(s)" — or with a custom `accepts_electronic_referrals` field. An attribute whose value
 * is false/no/0 says the opposite and is not counted.
 */
const ELECTRONIC_REFERRAL = /electronic[\s_-]*referrals?|e-?referrals?/i;
const NO = /^(false|no|n|0)$/i;

export function hsdsSaysElectronicReferrals(
  t: HsdsTables,
  service: HsdsRow,
  attributes: (linkId: string) => HsdsRow[],
): boolean {
  const custom = text(service, 'accepts_electronic_referrals');
  if (custom !== undefined) return !NO.test(custom.trim());
  const links = [
    service.id,
    ...t
      .rows('service_at_location')
      .filter((x) => x.service_id === service.id)
      .map((x) => x.id),
    ...(text(service, 'organization_id') ? [service.organization_id as string] : []),
  ];
  return links
    .flatMap((id) => attributes(id))
    .some((a) => {
      const term = t.get('taxonomy_terms', a.taxonomy_term_id);
      const words = [text(term, 'code'), text(term, 'name'), text(a, 'label')].filter(Boolean).join(' ');
      const value = text(a, 'value');
      return ELECTRONIC_REFERRAL.test(words) && !(value !== undefined && NO.test(value.trim()));
    });
}

const ELEC_METHOD = {
  coding: [
    {
      system: 'http://terminology.hl7.org/CodeSystem/service-referral-method',
      code: 'elec',
      display: 'Secure Messaging',
    },
  ],
};

const isElec = (m: CodeableConcept): boolean => !!m.coding?.some((c) => c.code === 'elec');
const isFlag = (x: Extension): boolean =>
  x.url === EXT_ACCEPTS_REFERRALS || x.url === EXT_ACCEPTS_REFERRALS_SOURCE;

/**
 * The service marked as taking electronic referrals because the HSDS data says so: the Kith flag,
 * its source `hsds` (so a later import whose data no longer says so can take it back), and `elec`
 * among referral methods.
 */
export function markAcceptsElectronicReferrals(s: HealthcareService): HealthcareService {
  const extension: Extension[] = [
    ...(s.extension ?? []).filter((x) => !isFlag(x)),
    { url: EXT_ACCEPTS_REFERRALS, valueBoolean: true },
    { url: EXT_ACCEPTS_REFERRALS_SOURCE, valueCode: 'hsds' },
  ];
  const methods = s.referralMethod ?? [];
  return { ...s, extension, referralMethod: methods.some(isElec) ? methods : [...methods, ELEC_METHOD] };
}

/** Where the stored flag came from: `hsds` (an import, as the data said), `kith` (staff), or none. */
export function acceptsFlagSource(s: HealthcareService): 'hsds' | 'kith' | undefined {
  if (s.extension?.find((x) => x.url === EXT_ACCEPTS_REFERRALS)?.valueBoolean !== true) return undefined;
  return s.extension?.find((x) => x.url === EXT_ACCEPTS_REFERRALS_SOURCE)?.valueCode === 'hsds'
    ? 'hsds'
    : 'kith';
}

/** The service without the stored flag, its source and the `elec` referral method that came with it. */
export function unmarkAcceptsElectronicReferrals(s: HealthcareService): HealthcareService {
  const extension = (s.extension ?? []).filter((x) => !isFlag(x));
  const referralMethod = (s.referralMethod ?? []).filter((m) => !isElec(m));
  const out: HealthcareService = { ...s, extension, referralMethod };
  if (!extension.length) delete out.extension;
  if (!referralMethod.length) delete out.referralMethod;
  return out;
}

/** Do these concepts (a stored service's type and category) name the electronic-referral term? */
export function conceptsSayElectronicReferrals(concepts: CodeableConcept[] | undefined): boolean {
  return (concepts ?? []).some((c) =>
    [c.text, ...(c.coding ?? []).flatMap((x) => [x.code, x.display])].some(
      (w) => typeof w === 'string' && ELECTRONIC_REFERRAL.test(w),
    ),
  );
}
