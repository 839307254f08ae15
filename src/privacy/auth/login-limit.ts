import type { LoginLimits } from './config';
import type { Sql } from './users';

/**
 * Failed sign-ins counted per username and IP address in `auth_login_attempts` (so several nodes
 * share the count). After `maxFailures` inside `windowSeconds`, sign-in for that pair is locked for
 * `lockoutSeconds`; a success clears the count.
 */
export class LoginLimiter {
  constructor(
    private readonly db: Sql,
    private readonly limits: LoginLimits,
  ) {}

  static key(username: string, ip: string): string {
    return `${String(username).trim().toLowerCase().slice(0, 128)}|${ip}`;
  }

  /** Seconds until the pair may try again, or 0 when not locked. */
  async lockedFor(key: string): Promise<number> {
    const { rows } = await this.db.query(
      `select ceil(extract(epoch from locked_until - now()))::int as wait
       from auth_login_attempts where key = $1 and locked_until > now()`,
      [key],
    );
    return rows[0]?.wait > 0 ? rows[0].wait : 0;
  }

  /** Counts a failure; returns the lockout in seconds when this failure reached the limit, else 0. */
  async fail(key: string): Promise<number> {
    const { windowSeconds, maxFailures, lockoutSeconds } = this.limits;
    const { rows } = await this.db.query(
      `insert into auth_login_attempts as a (key, failures, window_start) values ($1, 1, now())
       on conflict (key) do update set
         failures = case when a.window_start < now() - make_interval(secs => $2) or a.locked_until <= now()
                         then 1 else a.failures + 1 end,
         window_start = case when a.window_start < now() - make_interval(secs => $2) or a.locked_until <= now()
                             then now() else a.window_start end,
         locked_until = case when a.locked_until <= now() then null else a.locked_until end
       returning failures`,
      [key, windowSeconds],
    );
    if (rows[0].failures < maxFailures) return 0;
    await this.db.query(
      'update auth_login_attempts set locked_until = now() + make_interval(secs => $2) where key = $1',
      [key, lockoutSeconds],
    );
    return lockoutSeconds;
  }

  async succeed(key: string): Promise<void> {
    await this.db.query('delete from auth_login_attempts where key = $1', [key]);
  }
}
