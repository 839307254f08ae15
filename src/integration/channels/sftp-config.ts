import { readFileSync } from 'node:fs';

/**
 * Where a file-drop channel pulls its files from. Secrets never sit in the channel file: it names
 * an environment variable or a secret file (e.g. a mounted /run/secrets/...) that holds them.
 *
 * { "host": "sftp.county.example", "port": 22, "username": "kith", "passwordEnv": "KITH_WIC_SFTP_PASSWORD",
 *   "path": "/outgoing", "pollSeconds": 300, "processedPath": "/outgoing/done",
 *   "hostKeySha256": "SHA256:..." }
 */
export interface SftpConfig {
  host: string;
  port: number;
  username: string;
  passwordEnv?: string;
  passwordFile?: string;
  privateKeyFile?: string;
  privateKeyEnv?: string;
  passphraseEnv?: string;
  /** The server's host key fingerprint as OpenSSH prints it; when set, any other key is refused. */
  hostKeySha256?: string;
  /** Remote folder whose files are pulled, with those of its sub-folders down to maxDepth. */
  path: string;
  /**
   * How many levels of sub-folders below `path` are pulled too (default 3; 0: the folder's own
   * files only). An HMIS export that arrives as a folder is fetched whole, as one inbox folder.
   */
  maxDepth: number;
  pollSeconds: number;
  /**
   * When set, a fetched file is moved there on the server. Either way Kith remembers what it fetched
   * (name, size, modification time), so a file left in place is not fetched again unless it changes.
   */
  processedPath?: string;
  /** A file modified less than this long ago may still be being written: it waits for the next poll. */
  minAgeSeconds: number;
}

const SFTP_KEYS = [
  'host',
  'port',
  'username',
  'passwordEnv',
  'passwordFile',
  'privateKeyFile',
  'privateKeyEnv',
  'passphraseEnv',
  'hostKeySha256',
  'path',
  'pollSeconds',
  'processedPath',
  'minAgeSeconds',
  'maxDepth',
];
const CREDENTIALS = ['passwordEnv', 'passwordFile', 'privateKeyFile', 'privateKeyEnv'];

/** Checks an `sftp` block; problems are reported through `at(field, problem)` as `sftp.<field>`. */
export function validateSftp(
  value: unknown,
  at: (field: string, problem: string) => void,
): SftpConfig | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    at('sftp', 'must be an object with host, username, path and a credential');
    return undefined;
  }
  const v = value as Record<string, unknown>;
  let ok = true;
  const bad = (field: string, problem: string): void => {
    ok = false;
    at(`sftp.${field}`, problem);
  };
  for (const k of Object.keys(v))
    if (!SFTP_KEYS.includes(k)) bad(k, `unknown field (allowed: ${SFTP_KEYS.join(', ')})`);
  for (const k of ['host', 'username', 'path'])
    if (typeof v[k] !== 'string' || v[k] === '') bad(k, 'is required (a non-empty string)');
  for (const k of [...CREDENTIALS, 'passphraseEnv', 'hostKeySha256', 'processedPath'])
    if (v[k] !== undefined && (typeof v[k] !== 'string' || v[k] === '')) bad(k, 'must be a non-empty string');
  if (v.password !== undefined || v.privateKey !== undefined)
    bad('password', 'secrets do not go in channel files: name an environment variable or a secret file');
  const given = CREDENTIALS.filter((k) => v[k] !== undefined);
  if (given.length !== 1) bad('passwordEnv', `give exactly one credential of ${CREDENTIALS.join(', ')}`);
  for (const k of ['port', 'pollSeconds', 'minAgeSeconds']) {
    const n = v[k];
    if (
      n !== undefined &&
      (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || (k !== 'minAgeSeconds' && n === 0))
    )
      bad(k, 'must be a positive number');
  }
  if (
    v.maxDepth !== undefined &&
    (typeof v.maxDepth !== 'number' || !Number.isInteger(v.maxDepth) || v.maxDepth < 0 || v.maxDepth > 10)
  )
    bad('maxDepth', 'must be a whole number from 0 to 10');
  if (!ok) return undefined;
  return {
    host: v.host as string,
    port: (v.port as number | undefined) ?? 22,
    username: v.username as string,
    passwordEnv: v.passwordEnv as string | undefined,
    passwordFile: v.passwordFile as string | undefined,
    privateKeyFile: v.privateKeyFile as string | undefined,
    privateKeyEnv: v.privateKeyEnv as string | undefined,
    passphraseEnv: v.passphraseEnv as string | undefined,
    hostKeySha256: v.hostKeySha256 as string | undefined,
    path: v.path as string,
    pollSeconds: (v.pollSeconds as number | undefined) ?? 60,
    processedPath: v.processedPath as string | undefined,
    minAgeSeconds: (v.minAgeSeconds as number | undefined) ?? 30,
    maxDepth: (v.maxDepth as number | undefined) ?? 3,
  };
}

export interface SftpCredentials {
  password?: string;
  privateKey?: string;
  passphrase?: string;
}

/**
 * Reads the credential at pull time (a secret may be mounted or rotated after start); a missing
 * one is a failed pull that names the variable or file, never its value.
 */
export function readSftpCredentials(c: SftpConfig, env = process.env): SftpCredentials {
  const fromEnv = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  const fromFile = (file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read secret file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
        cause: err,
      });
    }
  };
  const out: SftpCredentials = {};
  if (c.passwordEnv) out.password = fromEnv(c.passwordEnv);
  if (c.passwordFile) out.password = fromFile(c.passwordFile).replace(/\r?\n$/, '');
  if (c.privateKeyEnv) out.privateKey = fromEnv(c.privateKeyEnv);
  if (c.privateKeyFile) out.privateKey = fromFile(c.privateKeyFile);
  if (c.passphraseEnv) out.passphrase = fromEnv(c.passphraseEnv);
  return out;
}
