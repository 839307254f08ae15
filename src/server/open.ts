import { CreateBatcher } from '../store/create-batcher';
import { UpdateBatcher } from '../store/update-batcher';
import { mkdirSync } from 'node:fs';
import type { KithConfig } from '../config/config';
import { FhirStore, migrate, openDatabase, refreshStatistics, type Database } from '../store';
import { loadDefinitions } from '../fhir/definitions';
import { installIdentity } from '../identity/mpi';
import { installNotify } from '../notify';
import { installReferrals } from '../referrals';
import { installPrivacy } from '../privacy/enforce';
// Imported before migrate(): these modules register their tables' migrations on import.
import { AuthService, loadAuthConfig, storePatientAccess, type AuthConfig } from '../privacy/auth';
import { auditAuthEvents } from '../audit';
import '../fhir/export/migrations';

export interface Kith {
  config: KithConfig;
  db: Database;
  store: FhirStore;
  /** Sign-in, tokens and their verification (src/privacy/auth). */
  auth: AuthService;
  close(): Promise<void>;
}

/** Opens the database (PGlite on disk, or PostgreSQL), applies migrations, loads FHIR definitions. */
export async function openKith(
  config: KithConfig,
  opts: { memory?: boolean; auth?: AuthConfig } = {},
): Promise<Kith> {
  loadDefinitions();
  let dataDir = 'memory://';
  if (!config.databaseUrl && !opts.memory) {
    mkdirSync(config.dataDir, { recursive: true });
    dataDir = config.dataDir;
  }
  const db = await openDatabase({ url: config.databaseUrl, dataDir });
  await migrate(db);
  // Planner statistics of tables loaded or grown while autovacuum was off or behind (see statistics.ts).
  await refreshStatistics(db);
  // Bound to no caller: the system. Request handlers bind the caller with `withCaller`.
  const store = new FhirStore(db);
  store.setCreateBatcher(createBatcher(db.kind));
  store.setUpdateBatcher(updateBatcher(db.kind));
  const privacy = await installPrivacy({ store });
  const identity = installIdentity({ store });
  const auth = await AuthService.open(db, {
    config: opts.auth ?? loadAuthConfig(),
    onAuthEvent: auditAuthEvents(db),
  });
  // The SMART authorization page binds a token only to a patient the user may see.
  auth.setPatientAccess(storePatientAccess(store));
  const kith: Kith = {
    config,
    db,
    store,
    auth,
    async close() {
      await identity.counts?.flush();
      await identity.termFrequencies?.settled();
      await privacy.flush();
      await db.close();
    },
  };
  await installNotify(kith).then(() => installReferrals(kith));
  return kith;
}

/**
 * Concurrent creates are written in batches, `KITH_CREATE_SLOTS` batches at a time (0: every create
 * alone), at most `KITH_CREATE_BATCH` creates each. PGlite has one connection: one batch at a time.
 */
function createBatcher(kind: 'pglite' | 'postgres'): CreateBatcher | undefined {
  const slots = Number(process.env.KITH_CREATE_SLOTS ?? (kind === 'pglite' ? 1 : 2));
  const size = Number(process.env.KITH_CREATE_BATCH ?? 32);
  return slots > 0 && size > 1 ? new CreateBatcher(slots, size) : undefined;
}

/**
 * Concurrent updates likewise: `KITH_UPDATE_SLOTS` batches at a time (0: every update alone), at
 * most `KITH_UPDATE_BATCH` updates each.
 */
function updateBatcher(kind: 'pglite' | 'postgres'): UpdateBatcher | undefined {
  const slots = Number(process.env.KITH_UPDATE_SLOTS ?? (kind === 'pglite' ? 1 : 2));
  const size = Number(process.env.KITH_UPDATE_BATCH ?? 32);
  return slots > 0 && size > 1 ? new UpdateBatcher(slots, size) : undefined;
}
