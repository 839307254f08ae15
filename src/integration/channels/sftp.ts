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
 * SFTP pull for a file-drop channel: every pollSeconds, new files in the remote folder and its
 * sub-folders (down to maxDepth; for HMIS each export folder whole) are downloaded into the channel's inbox (as a dot-file renamed when complete, so the inbox never reads
 * half a file), then the inbox processes them. A file is fetched once: (full remote path, size,
 * mtime) is recorded after it is in the inbox, and optionally the file is moved to processedPath remotely.
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
      const units = await this.collect(session.sftp);
      const now = Date.now() / 1000;
      await mkdir(inbox, { recursive: true });
      for (const unit of units) {
        if (unit.files.some((f) => now - f.mtime < c.minAgeSeconds)) {
          result.waiting.push(unit.rel);
          continue;
        }
        const known = await this.db.query(
          `select remote_path, size, mtime from integration_sftp_files where channel = $1 and remote_path = any($2::text[])`,
          [this.channel.name, unit.files.map((f) => f.remote)],
        );
        const seen = new Set(known.rows.map((r) => `${r.remote_path}\n${r.size}\n${r.mtime}`));
        if (unit.files.every((f) => seen.has(`${f.remote}\n${f.size}\n${f.mtime}`))) {
          // Fetched before but its move failed: move it now.
          if (c.processedPath) await this.moveRemote(session.sftp, unit.remote, unit.name);
          continue;
        }
        const part = path.join(inbox, `.sftp-${process.pid}-${unit.name}.part`);
        try {
          if (unit.folder) {
            // A folder arrives whole: its files go into a hidden folder renamed when all are in.
            await mkdir(part, { recursive: true });
            for (const f of unit.files)
              await call((cb) =>
                session.sftp.fastGet(f.remote, path.join(part, path.posix.basename(f.remote)), cb),
              );
          } else await call((cb) => session.sftp.fastGet(unit.remote, part, cb));
          await rename(part, freeName(inbox, unit.name));
        } finally {
          await rm(part, { force: true, recursive: true });
        }
        await this.db.query(
          `insert into integration_sftp_files (channel, remote_path, size, mtime)
           select $1, p, s, m from unnest($2::text[], $3::bigint[], $4::bigint[]) as t(p, s, m)
           on conflict do nothing`,
          [
            this.channel.name,
            unit.files.map((f) => f.remote),
            unit.files.map((f) => f.size),
            unit.files.map((f) => f.mtime),
          ],
        );
        if (c.processedPath) await this.moveRemote(session.sftp, unit.remote, unit.name);
        result.fetched.push(unit.rel);
      }
    } finally {
      session.end();
    }
    return result;
  }

  /**
   * What to fetch, in name order: every file of the remote folder and of its sub-folders down to
   * maxDepth levels (each its own inbox file, named by its path below the folder, `a/b.csv` →
   * `a_b.csv`). For HMIS a sub-folder is an export: its files are fetched together as one inbox
   * folder (a zip in it still comes alone). Hidden entries and the processedPath folder are skipped.
   */
  private async collect(sftp: SFTPWrapper): Promise<PullUnit[]> {
    const c = this.channel.sftp;
    const hmis = this.channel.kind === 'hmis';
    const skip = c.processedPath ? path.posix.normalize(c.processedPath).replace(/\/$/, '') : undefined;
    const units: PullUnit[] = [];
    const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
      const entries = await call<
        {
          filename: string;
          attrs: { size: number; mtime: number; isFile(): boolean; isDirectory(): boolean };
        }[]
      >((cb) => sftp.readdir(dir, cb));
      const together: RemoteFile[] = [];
      for (const e of entries.sort((a, b) => a.filename.localeCompare(b.filename))) {
        if (e.filename.startsWith('.')) continue;
        const remote = path.posix.join(dir, e.filename);
        const childRel = rel ? `${rel}/${e.filename}` : e.filename;
        if (e.attrs.isDirectory()) {
          if (depth < c.maxDepth && remote !== skip) await walk(remote, childRel, depth + 1);
          continue;
        }
        if (!e.attrs.isFile()) continue;
        const file = { remote, size: e.attrs.size, mtime: e.attrs.mtime };
        if (hmis && depth > 0 && !/\.zip$/i.test(e.filename)) together.push(file);
        else units.push({ remote, rel: childRel, name: flatName(childRel), folder: false, files: [file] });
      }
      if (together.length > 0)
        units.push({ remote: dir, rel, name: flatName(rel), folder: true, files: together });
    };
    await walk(c.path, '', 0);
    return units.sort((a, b) => a.rel.localeCompare(b.rel));
  }

  private async moveRemote(sftp: SFTPWrapper, remote: string, name: string): Promise<void> {
    const target = path.posix.join(this.channel.sftp.processedPath!, name);
    await call((cb) => sftp.rename(remote, target, cb)).catch((err: Error) => {
      throw new Error(`fetched ${remote} but could not move it to ${target}: ${err.message}`);
    });
  }
}

interface RemoteFile {
  remote: string;
  size: number;
  mtime: number;
}

/** A file, or (HMIS) a folder of files, fetched into the inbox as one entry. */
interface PullUnit {
  /** Remote path of the file or folder. */
  remote: string;
  /** Its path below the pulled folder (what a pull reports). */
  rel: string;
  /** Its name in the inbox (and in processedPath). */
  name: string;
  folder: boolean;
  files: RemoteFile[];
}

/** A path below the pulled folder as one inbox name: `2024/06/wic.csv` → `2024_06_wic.csv`. */
function flatName(rel: string): string {
  return rel.split('/').join('_');
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
