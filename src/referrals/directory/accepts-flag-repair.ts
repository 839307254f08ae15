import type { HealthcareService } from '@medplum/fhirtypes';
import type { FhirStore } from '../../store';
import { EXT_ACCEPTS_REFERRALS, EXT_ACCEPTS_REFERRALS_SOURCE, hsdsSystem } from './extensions';
import {
  conceptsSayElectronicReferrals,
  markAcceptsElectronicReferrals,
  unmarkAcceptsElectronicReferrals,
} from './hsds/electronic-referrals';

export const ACCEPTS_FLAG_REPAIR = 'accepts-flag-origin-1';

/**
 * Services imported from HSDS before the flag's source was recorded carry an accepts-electronic-
 * referrals flag that may be baked in: that import also set it when the service's organization
 * worked on Kith at the time, and a re-import kept it, so a service stayed "on Kith" after its
 * organization left. Whether an organization works on Kith is now worked out on each search
 * (on-kith.ts), so such a flag is recomputed once, from what the stored service still shows of its
 * HSDS data: kept (marked source `hsds`) when its own taxonomy terms (type, category) name
 * electronic referrals, removed otherwise. A flag the HSDS data gives through its organization's
 * terms or a custom field is set again, with its source, by the next import of that data.
 *
 * Runs once per database (recorded in `referral_repair`, claimed in the same transaction, so two
 * processes starting together do not both run it). Returns the services changed, or undefined when
 * it had already run.
 */
export async function repairImportedAcceptsFlags(store: FhirStore): Promise<number | undefined> {
  return store.inTransaction(async (tx) => {
    const claimed = await tx.queryable.query(
      `insert into referral_repair (id) values ($1) on conflict do nothing returning id`,
      [ACCEPTS_FLAG_REPAIR],
    );
    if (!claimed.rows.length) return undefined;
    const { rows } = await tx.queryable.query<{ json: string }>(
      `select content::text as json from fhir_resources
       where resource_type = 'HealthcareService' and not deleted
         and content->'extension' @> $1::jsonb and content->'identifier' @> $2::jsonb
         and not content->'extension' @> $3::jsonb`,
      [
        JSON.stringify([{ url: EXT_ACCEPTS_REFERRALS, valueBoolean: true }]),
        JSON.stringify([{ system: hsdsSystem('service') }]),
        JSON.stringify([{ url: EXT_ACCEPTS_REFERRALS_SOURCE }]),
      ],
    );
    let changed = 0;
    for (const { json } of rows) {
      const s = JSON.parse(json) as HealthcareService;
      const { meta: _meta, ...rest } = s;
      const fromTerms = conceptsSayElectronicReferrals([...(s.type ?? []), ...(s.category ?? [])]);
      const next = fromTerms
        ? markAcceptsElectronicReferrals(rest as HealthcareService)
        : unmarkAcceptsElectronicReferrals(rest as HealthcareService);
      await tx.update({
        ...next,
        meta: s.meta?.security || s.meta?.tag ? { security: s.meta.security, tag: s.meta.tag } : undefined,
      });
      changed++;
    }
    await tx.queryable.query('update referral_repair set changed = $2 where id = $1', [
      ACCEPTS_FLAG_REPAIR,
      changed,
    ]);
    return changed;
  });
}
