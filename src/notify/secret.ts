import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store';

/**
 * A server secret: from the environment when set (all nodes must share it), else generated once
 * and kept in the database, so every node and every restart signs with the same key.
 */
export async function serverSecret(db: Queryable, name: string, envValue?: string): Promise<Buffer> {
  if (envValue) return Buffer.from(envValue, 'utf8');
  await db.query('insert into kith_secret (name, value) values ($1, $2) on conflict (name) do nothing', [
    name,
    randomBytes(32).toString('base64url'),
  ]);
  const { rows } = await db.query('select value from kith_secret where name = $1', [name]);
  return Buffer.from(rows[0].value as string, 'base64url');
}
