import type { Database } from './database';

/**
 * Tables of this schema whose planner statistics are missing or stale: never analyzed while they
 * hold rows, or changed since their last ANALYZE by more than autovacuum's default analyze
 * threshold (50 rows + 10%). Autovacuum would refresh these on its own; where it is off (as on
 * some county servers) or has not run yet after a bulk load, the planner guesses: the fhir-bench
 * Patient search (family + birthdate) on a fresh server started from the birthdate index (2.4 ms)
 * instead of the far more selective family index (0.12 ms) at 80,000 resources.
 */
const STALE_TABLES = `
  select format('%I.%I', n.nspname, c.relname) as name
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  left join pg_stat_user_tables s on s.relid = c.oid
  where n.nspname = current_schema() and c.relkind in ('r', 'p')
    and pg_relation_size(c.oid) > 0
    and (not exists (select 1 from pg_stats t where t.schemaname = n.nspname and t.tablename = c.relname)
      or coalesce(s.n_mod_since_analyze, 0) > 50 + 0.1 * greatest(c.reltuples, 0))
  order by 1`;

/**
 * Analyzes the tables whose statistics are missing or stale (see STALE_TABLES); run on start and
 * after bulk loads (demo, import). Returns the tables analyzed. ANALYZE samples at most 30,000 rows
 * a table, so this takes seconds even at millions of rows, and nothing when all are fresh.
 */
export async function refreshStatistics(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(STALE_TABLES);
  const names = rows.map((r) => r.name);
  // The names come from the catalog, quoted by format('%I'): no caller text reaches this statement.
  if (names.length) await db.query(`analyze ${names.join(', ')}`);
  return names;
}
