import { mkdirSync } from 'node:fs';
import type { KithConfig } from '../../config/config';
import { openDatabase, type Database } from '../../store/db/database';
import { migrate } from '../../store/db/migrate';

/**
 * The database alone, migrated, for commands that need no FHIR definitions (`kith users`,
 * `kith audit`): the same PGlite directory or PostgreSQL URL as openKith, without its start-up cost.
 */
export async function openCliDatabase(config: KithConfig): Promise<{ db: Database; close(): Promise<void> }> {
  if (!config.databaseUrl) mkdirSync(config.dataDir, { recursive: true });
  const db = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : config.dataDir,
  });
  await migrate(db);
  return { db, close: () => db.close() };
}
