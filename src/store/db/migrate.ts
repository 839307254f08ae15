import type { Database } from './database';

/** One schema change. Ids sort in the order they must run; a capability prefixes its own. */
export interface Migration {
  id: string;
  sql: string;
}

const registered: Migration[] = [];

/** Capabilities register their migrations at import time (see each folder's migrations.ts). */
export function registerMigrations(migrations: Migration[]): void {
  for (const m of migrations) {
    if (!registered.some((r) => r.id === m.id)) registered.push(m);
  }
}

export function registeredMigrations(): Migration[] {
  return [...registered].sort((a, b) => a.id.localeCompare(b.id));
}

/** Applies pending migrations in id order, each in its own transaction, under an advisory lock. */
export async function migrate(db: Database, migrations = registeredMigrations()): Promise<string[]> {
  const applied: string[] = [];
  await db.transaction(async (client) => {
    // Lock so two nodes starting together do not race on the same schema change.
    await client.query('select pg_advisory_xact_lock(7150001)');
    await client.query(
      'create table if not exists kith_migrations (id text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await client.query('select id from kith_migrations')).rows.map((r) => r.id as string),
    );
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await client.query(m.sql);
      await client.query('insert into kith_migrations (id) values ($1)', [m.id]);
      applied.push(m.id);
    }
  });
  return applied;
}
