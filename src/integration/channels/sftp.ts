import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Client, type SFTPWrapper } from 'ssh2';
import type { Database } from '../../store/db/database';
import type { ChannelConfig } from './config';
import { readSftpCredentials, type SftpConfig } from './sftp-config';

/** What one pull did; a pull that could not connect or list throws and is recorded in the status. */
export interface SftpPullResult {
  fetched: string[];
  /** Remote files skipped because they changed too recently (may still be being written). */
  waiting: string[];
}

export interface SftpStatus {
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  filesFetched: number;
  /** The server's host key fingerprint as last seen (to pin it with `hostKeySha256`). */
  hostKey: string | null;
}

/**
 * SFTP pull for a file-drop channel: every pollSeconds, new files in the remote folder are
 * downloaded into the channel's inbox (as a dot-file renamed when complete, so the inbox never reads
 * half a file), then the inbox processes them. A file is fetched once: (path, size, mtime) is
 * recorded after it is in the inbox, and optionally the file is moved to processedPath remotely.
 * A crash between the download and the record fetches it again, which the pipeline recognises by
 * its content hash, so its records are still committed exactly once.
 */
export class SftpPull {
  private timer?: NodeJS.Timeout;
  private running?: Promise<SftpPullResult>;

  constructor(
    readonly channel: ChannelConfig & { sftp: SftpConfig; inbox: { dir: string; pollSeconds: number } },
    private readonly db: Database,
    /** Called after files arrived in the inbox (the channel's Inbox.poll). */
    private readonly afterFetch: () => Promise<unknown> = async () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(
      () => void this.poll().catch(() => undefined),
      this.channel.sftp.pollSeconds * 1000,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Pulls now (one pull at a time); the outcome, good or bad, is recorded in the channel's status. */
  async poll(): Promise<SftpPullResult> {
    if (this.running) return this.running;
    this.running = this.pullAndRecord().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pullAndRecord(): Promise<SftpPullResult> {
    let hostKey: string | undefined;
    try {
      const result = await this.pull((k) => (hostKey = k));
      await this.db.query(
        `insert into integration_sftp_status (channel, last_attempt_at, last_success_at, last_error, files_fetched, host_key)
         values ($1, now(), now(), null, $2, $3)
         on conflict (channel) do update set last_attempt_at = now(), last_success_at = now(), last_error = null,
           files_fetched = integration_sftp_status.files_fetched + $2, host_key = coalesce($3, integration_sftp_status.host_key)`,
        [this.channel.name, result.fetched.length, hostKey ?? null],
      );
      if (result.fetched.length > 0) await this.afterFetch();
      return result;
    } catch (err) {
      const { host, port, path: dir } = this.channel.sftp;
      const message = `SFTP pull from ${host}:${port}${dir} failed: ${(err as Error).message}`;
      await this.db.query(
        `insert into integration_sftp_status (channel, last_attempt_at, last_error, host_key)
         values ($1, now(), $2, $3)
         on conflict (channel) do update set last_attempt_at = now(), last_error = $2,
           host_key = coalesce($3, integration_sftp_status.host_key)`,
        [this.channel.name, message, hostKey ?? null],
      );
      throw new Error(message, { cause: err });
    }
  }

  private async pull(seenHostKey: (fingerprint: string) => void): Promise<SftpPullResult> {
    const c = this.channel.sftp;
    const inbox = this.channel.inbox.dir;
    const result: SftpPullResult = { fetched: [], waiting: [] };
    const session = await connect(c, seenHostKey);
    try {
      const entries = await call<
        { filename: string; attrs: { size: number; mtime: number; isFile(): boolean } }[]
      >((cb) => session.sftp.readdir(c.path, cb));
      const now = Date.now() / 1000;
      await mkdir(inbox, { recursive: true });
      for (const e of entries.sort((a, b) => a.filename.localeCompare(b.filename))) {
        if (!e.attrs.isFile() || e.filename.startsWith('.')) continue;
        const remote = path.posix.join(c.path, e.filename);
        const { size, mtime } = e.attrs;
        if (now - mtime < c.minAgeSeconds) {
          result.waiting.push(e.filename);
          continue;
        }
        const known = await this.db.query(
          `select 1 from integration_sftp_files where channel = $1 and remote_path = $2 and size = $3 and mtime = $4`,
          [this.channel.name, remote, size, mtime],
        );
        if (known.rows.length > 0) {
          // Fetched before but its move failed: move it now.
          if (c.processedPath) await this.moveRemote(session.sftp, remote, e.filename);
          continue;
        }
        const part = path.join(inbox, `.sftp-${process.pid}-${e.filename}.part`);
        try {
          await call((cb) => session.sftp.fastGet(remote, part, cb));
          await rename(part, freeName(inbox, e.filename));
        } finally {
          await rm(part, { force: true });
        }
        await this.db.query(
          `insert into integration_sftp_files (channel, remote_path, size, mtime) values ($1, $2, $3, $4)
           on conflict do nothing`,
          [this.channel.name, remote, size, mtime],
        );
        if (c.processedPath) await this.moveRemote(session.sftp, remote, e.filename);
        result.fetched.push(e.filename);
      }
    } finally {
      session.end();
    }
    return result;
  }

  private async moveRemote(sftp: SFTPWrapper, remote: string, name: string): Promise<void> {
    const target = path.posix.join(this.channel.sftp.processedPath!, name);
    await call((cb) => sftp.rename(remote, target, cb)).catch((err: Error) => {
      throw new Error(`fetched ${remote} but could not move it to ${target}: ${err.message}`);
    });
  }
}

/** A name not taken in the inbox (an earlier file of the same name may still be waiting there). */
function freeName(dir: string, name: string): string {
  const plain = path.join(dir, name);
  return existsSync(plain) ? path.join(dir, `${Date.now()}-${name}`) : plain;
}

/** OpenSSH's fingerprint form: `SHA256:` and unpadded base64 of the key blob. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

const samePrint = (a: string, b: string): boolean =>
  a.replace(/^SHA256:/, '').replace(/=+$/, '') === b.replace(/^SHA256:/, '').replace(/=+$/, '');

async function connect(
  c: SftpConfig,
  seenHostKey: (fingerprint: string) => void,
): Promise<{ sftp: SFTPWrapper; end(): void }> {
  const credentials = readSftpCredentials(c);
  const client = new Client();
  let refusedKey: string | undefined;
  return new Promise((resolve, reject) => {
    client
      .on('ready', () => {
        client.sftp((err, sftp) => {
          if (err) {
            client.end();
            reject(err);
          } else resolve({ sftp, end: () => client.end() });
        });
      })
      .on('error', (err) => {
        client.end();
        reject(
          refusedKey ? new Error(`host key ${refusedKey} does not match the configured hostKeySha256`) : err,
        );
      })
      .connect({
        host: c.host,
        port: c.port,
        username: c.username,
        ...credentials,
        readyTimeout: 20_000,
        hostVerifier: (key: Buffer): boolean => {
          const print = hostKeyFingerprint(key);
          seenHostKey(print);
          if (c.hostKeySha256 && !samePrint(print, c.hostKeySha256)) {
            refusedKey = print;
            return false;
          }
          return true;
        },
      });
  });
}

function call<T = void>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

/** The last pull of each channel, by channel name. */
export async function sftpStatuses(db: Database): Promise<Map<string, SftpStatus>> {
  const { rows } = await db.query(
    `select channel, last_attempt_at, last_success_at, last_error, files_fetched, host_key from integration_sftp_status`,
  );
  return new Map(
    rows.map((r) => [
      r.channel as string,
      {
        lastAttemptAt: r.last_attempt_at ? new Date(r.last_attempt_at).toISOString() : null,
        lastSuccessAt: r.last_success_at ? new Date(r.last_success_at).toISOString() : null,
        lastError: r.last_error ?? null,
        filesFetched: Number(r.files_fetched),
        hostKey: r.host_key ?? null,
      },
    ]),
  );
}
