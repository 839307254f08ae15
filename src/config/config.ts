import path from 'node:path';

export interface KithConfig {
  port: number;
  host: string;
  /** PostgreSQL URL; when absent Kith runs on embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Public base URL of the server, used in links; derived from the request when absent. */
  baseUrl?: string;
  mllpPort: number;
  logLevel: string;
}

/** Reads configuration from the environment; every setting has a working default. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): KithConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, not '${env.PORT}'`);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.KITH_DATA_DIR ?? './data'),
    baseUrl: env.KITH_BASE_URL || undefined,
    mllpPort: Number(env.KITH_MLLP_PORT ?? 2575),
    logLevel: env.KITH_LOG_LEVEL ?? 'warn',
  };
}
