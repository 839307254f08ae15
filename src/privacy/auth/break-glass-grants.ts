import { randomUUID } from 'node:crypto';
import { tokenHash } from './passwords';
import type { Sql } from './users';

/** One break-glass grant as stored: the server's record decides whether it still holds. */
export interface BreakGlassGrant {
  id: string;
  until: string;
  reason: string;
}

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();

/**
 * Records a grant for a user. `familyId` is the web session (refresh-token family) it was asked
 * from, so renewing that session keeps it; a grant asked with a bare access token lives only in
 * the tokens issued with it.
 */
export async function recordBreakGlass(
  db: Sql,
  g: { userId: string; familyId?: string; reason: string; until: string },
): Promise<BreakGlassGrant> {
  const id = randomUUID();
  await db.query(
    `insert into auth_break_glass (id, user_id, family_id, reason, until) values ($1, $2, $3, $4, $5::timestamptz)`,
    [id, g.userId, g.familyId ?? null, g.reason, g.until],
  );
  return { id, until: g.until, reason: g.reason };
}

/** The grant if it still holds now (not past its end, not ended early), for that user only. */
export async function activeBreakGlass(
  db: Sql,
  id: string,
  userId: string,
): Promise<BreakGlassGrant | undefined> {
  const { rows } = await db.query(
    `select id, until, reason from auth_break_glass
     where id = $1 and user_id = $2 and ended_at is null and until > now()`,
    [id, userId],
  );
  return rows[0] ? { id: rows[0].id, until: iso(rows[0].until), reason: rows[0].reason } : undefined;
}

/** The latest grant of a web session that still holds (what a renewal carries on). */
export async function sessionBreakGlass(
  db: Sql,
  userId: string,
  familyId: string,
): Promise<BreakGlassGrant | undefined> {
  const { rows } = await db.query(
    `select id, until, reason from auth_break_glass
     where user_id = $1 and family_id = $2 and ended_at is null and until > now()
     order by granted_at desc limit 1`,
    [userId, familyId],
  );
  return rows[0] ? { id: rows[0].id, until: iso(rows[0].until), reason: rows[0].reason } : undefined;
}

/** Ends a user's grants now (all of them, or one session's). The number ended. */
export async function endBreakGlass(db: Sql, userId: string, familyId?: string): Promise<number> {
  const { rows } = await db.query(
    `update auth_break_glass set ended_at = now()
     where user_id = $1 and ended_at is null and until > now() and ($2::text is null or family_id = $2)
     returning id`,
    [userId, familyId ?? null],
  );
  return rows.length;
}

/** The session (refresh-token family) of a live refresh token of this user, if any. */
export async function refreshFamily(db: Sql, token: string, userId: string): Promise<string | undefined> {
  if (!token) return undefined;
  const { rows } = await db.query(
    `select family_id from auth_refresh_tokens
     where token_hash = $1 and user_id = $2 and revoked_at is null and expires_at > now()`,
    [tokenHash(token), userId],
  );
  return rows[0]?.family_id;
}
