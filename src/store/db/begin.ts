import type pg from 'pg';

/**
 * Sends `begin` without waiting for its reply: on a pipelined client (PostgreSQL) the transaction's
 * first statement follows in the same flight, saving a round trip per transaction; on PGlite's
 * client the statement simply waits its turn. Await the result before `commit`: `begin` fails only
 * with a broken connection, and then so does everything sent behind it.
 */
export function beginPipelined(client: pg.PoolClient): Promise<void> {
  const begun = client.query('begin').then(() => undefined);
  begun.catch(() => undefined); // seen when awaited; until then not an unhandled rejection
  return begun;
}
