import type { Database } from '../../store/db/database';
import { createClient } from './clients';
import { generatePassword } from './passwords';
import { createUser } from './users';
import './migrations';

export interface BootstrapResult {
  /** Present when the administrator was created now; `password` only when Kith generated it. */
  admin?: { username: string; password?: string };
  /** Present when the system client was created now; `clientSecret` only when Kith generated it. */
  client?: { clientId: string; clientSecret?: string };
}

/**
 * First start: creates the administrator account and a system client when there are none yet.
 * `KITH_ADMIN_PASSWORD` (and `KITH_ADMIN_USERNAME`, default `admin`), `KITH_BOOTSTRAP_CLIENT_ID`
 * (default `kith-system`) and `KITH_BOOTSTRAP_CLIENT_SECRET` are used when set; otherwise the
 * password and secret are generated and returned, for the caller to print once. Later starts
 * change nothing. Safe when two nodes start together.
 */
export async function bootstrapAuth(
  db: Database,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BootstrapResult> {
  return db.transaction(async (client) => {
    await client.query('select pg_advisory_xact_lock(7150102)');
    const result: BootstrapResult = {};
    const admins = await client.query(`select 1 from auth_users where 'administrator' = any(roles) limit 1`);
    if (!admins.rows.length) {
      const username = env.KITH_ADMIN_USERNAME || 'admin';
      const password = env.KITH_ADMIN_PASSWORD || generatePassword();
      await createUser(client, {
        username,
        password,
        displayName: 'Kith administrator',
        accessLevel: 'edit',
        roles: ['administrator'],
        purposeOfUse: 'HOPERAT',
      });
      result.admin = { username, password: env.KITH_ADMIN_PASSWORD ? undefined : password };
    }
    const clients = await client.query(
      `select 1 from auth_clients where grant_types @> array['client_credentials'] limit 1`,
    );
    if (!clients.rows.length) {
      const clientId = env.KITH_BOOTSTRAP_CLIENT_ID || 'kith-system';
      const created = await createClient(client, {
        clientId,
        name: 'Kith system client',
        secret: env.KITH_BOOTSTRAP_CLIENT_SECRET || undefined,
        authMethod: 'client_secret_basic',
        grantTypes: ['client_credentials'],
        scope: 'system/*.cruds',
        accessLevel: 'edit',
        roles: ['administrator'],
        purposeOfUse: 'HOPERAT',
      });
      result.client = { clientId, clientSecret: created.secret };
    }
    return result;
  });
}

/** The lines to print once after `bootstrapAuth` (nothing when nothing was created). */
export function bootstrapNotice(result: BootstrapResult): string[] {
  const lines: string[] = [];
  if (result.admin)
    lines.push(
      result.admin.password
        ? `Administrator created: ${result.admin.username} / ${result.admin.password}  (shown once: store it now)`
        : `Administrator created: ${result.admin.username} (password from KITH_ADMIN_PASSWORD)`,
    );
  if (result.client)
    lines.push(
      result.client.clientSecret
        ? `System client created: ${result.client.clientId} / ${result.client.clientSecret}  (shown once: store it now)`
        : `System client created: ${result.client.clientId} (secret from KITH_BOOTSTRAP_CLIENT_SECRET)`,
    );
  return lines;
}
