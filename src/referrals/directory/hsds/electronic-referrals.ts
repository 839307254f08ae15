import type { Extension, HealthcareService } from '@medplum/fhirtypes';
import { EXT_ACCEPTS_REFERRALS } from '../extensions';
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

/** The service marked as taking electronic referrals: the Kith flag, and `elec` among referral methods. */
export function markAcceptsElectronicReferrals(s: HealthcareService): HealthcareService {
  const extension: Extension[] = [
    ...(s.extension ?? []).filter((x) => x.url !== EXT_ACCEPTS_REFERRALS),
    { url: EXT_ACCEPTS_REFERRALS, valueBoolean: true },
  ];
  const methods = s.referralMethod ?? [];
  const hasElec = methods.some((m) => m.coding?.some((c) => c.code === 'elec'));
  return { ...s, extension, referralMethod: hasElec ? methods : [...methods, ELEC_METHOD] };
}
