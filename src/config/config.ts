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
  /** Seconds between refreshes of stale planner statistics (0: never; src/store/db/statistics.ts). */
  statisticsIntervalS: number;
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
    statisticsIntervalS: seconds(env, 'KITH_STATISTICS_INTERVAL_S', 60),
  };
}

/** A whole number of seconds (0 allowed) from the environment, or the default when unset. */
function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number of seconds (0 or more), not '${raw}'`);
  return value;
}
