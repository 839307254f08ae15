import { FhirService } from '../fhir/service';
import { processBundle } from '../fhir/transaction';
import { loadDemo, type LoadDemoResult } from '../demo';
import { refreshStatistics } from '../store';
import type { Kith } from './open';

/** True when the store holds no resource yet: a first start. */
export async function isEmpty(kith: Kith): Promise<boolean> {
  const { rows } = await kith.db.query('select 1 from fhir_resources limit 1');
  return rows.length === 0;
}

/** Loads the demo county through the FHIR transaction path, so every write hook applies. */
export async function loadDemoData(
  kith: Kith,
  onBundle?: (done: number, total: number) => void,
): Promise<LoadDemoResult> {
  const service = new FhirService(kith.store);
  const base = `${kith.config.baseUrl ?? `http://localhost:${kith.config.port}`}/fhir`;
  const result = await loadDemo(
    (bundle) => processBundle(service, bundle, { base, returnRepresentation: false }),
    { onBundle },
  );
  // The first start filled every table: plans need their statistics (autovacuum may be off or behind).
  await refreshStatistics(kith.db);
  return result;
}
