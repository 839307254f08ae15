import type { Resource } from '@medplum/fhirtypes';
import type { FhirStore } from '../../store';
import { accessColumns } from '../policy';
import { labelForWrite } from './write-labels';

/**
 * Labels and fills the access columns of rows written before the columns existed (their `security`
 * is null), in batches, as the system. Until then such rows are visible to administrators only.
 * Returns how many current rows were filled.
 */
export async function backfillAccessColumns(store: FhirStore, batch = 500): Promise<number> {
  let done = 0;
  for (;;) {
    const filled = await store.inTransaction(async (tx) => {
      const { rows } = await tx.queryable.query(
        `select resource_type, id, content::text as json from fhir_resources where security is null limit $1`,
        [batch],
      );
      for (const row of rows) {
        const stored = JSON.parse(row.json) as Resource;
        const labeled = await labelForWrite(tx, stored, stored);
        const cols = accessColumns(labeled);
        const params = [row.resource_type, row.id, cols.security, cols.compartment, cols.custodian];
        // The labels go into the current content; older versions get the same columns (the
        // current row's decide hides them anyway).
        await tx.queryable.query(
          `update fhir_resources set security = $3::text[], compartment = $4::text[], custodian = $5::text,
             content = $6::jsonb where resource_type = $1 and id = $2`,
          [...params, JSON.stringify(labeled)],
        );
        await tx.queryable.query(
          `update fhir_history set security = $3::text[], compartment = $4::text[], custodian = $5::text
           where resource_type = $1 and id = $2 and security is null`,
          params,
        );
      }
      return rows.length;
    });
    done += filled;
    if (filled < batch) return done;
  }
}
