import { createHash, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  type Stats,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes, Connection, ParsedKey, SFTPWrapper } from 'ssh2';

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

export interface TestSftpServer {
  port: number;
  /** The host key's fingerprint, as a channel's `hostKeySha256` pins it. */
  hostKeySha256: string;
  /** Logins seen (user names), to check a pull connected at all. */
  logins: string[];
  close(): Promise<void>;
}

/**
 * A real SFTP server (the ssh2 package's server side, SSH protocol and SFTP v3) on 127.0.0.1 with a
 * freshly generated host key, serving `root` as `/`: enough of the protocol for a pull (list,
 * stat, open/read/close, rename). Accepts one user with a password and/or a public key.
 */
export async function startTestSftpServer(opts: {
  root: string;
  username: string;
  password?: string;
  publicKey?: string;
}): Promise<TestSftpServer> {
  const hostKey = utils.generateKeyPairSync('ed25519');
  const hostParsed = utils.parseKey(hostKey.public) as ParsedKey;
  const allowedKey = opts.publicKey ? (utils.parseKey(opts.publicKey) as ParsedKey) : undefined;
  const logins: string[] = [];
  const same = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);
  const local = (p: string): string => path.join(opts.root, path.posix.normalize(`/${p}`));

  const server = new Server({ hostKeys: [hostKey.private] }, (client: Connection) => {
    client.on('authentication', (ctx) => {
      if (ctx.username !== opts.username) return ctx.reject();
      if (ctx.method === 'password' && opts.password !== undefined) {
        return same(Buffer.from(ctx.password), Buffer.from(opts.password)) ? ctx.accept() : ctx.reject();
      }
      if (ctx.method === 'publickey' && allowedKey) {
        if (ctx.key.algo !== allowedKey.type || !same(ctx.key.data, allowedKey.getPublicSSH()))
          return ctx.reject();
        if (!ctx.signature) return ctx.accept(); // the client asks whether this key would do
        return allowedKey.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true
          ? ctx.accept()
          : ctx.reject();
      }
      ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      logins.push(opts.username);
      client.on('session', (accept) => {
        accept().on('sftp', (acceptSftp) => serve(acceptSftp(), local));
      });
    });
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fingerprint = `SHA256:${createHash('sha256')
    .update(hostParsed.getPublicSSH())
    .digest('base64')
    .replace(/=+$/, '')}`;
  return {
    port: (server.address() as AddressInfo).port,
    hostKeySha256: fingerprint,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function attrsOf(s: Stats): Attributes {
  return {
    mode: s.mode,
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    atime: Math.floor(s.atimeMs / 1000),
    mtime: Math.floor(s.mtimeMs / 1000),
  };
}

/** The SFTP requests a pull makes, answered from the local folder. */
function serve(sftp: SFTPWrapper, local: (p: string) => string): void {
  const files = new Map<number, number>(); // handle → fd
  const dirs = new Map<number, { path: string; done: boolean }>();
  let next = 0;
  const handle = (n: number): Buffer => Buffer.from(String(n));
  const id = (h: Buffer): number => Number(h.toString());
  const fail = (reqid: number, err: unknown): void =>
    void sftp.status(
      reqid,
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : STATUS_CODE.FAILURE,
    );

  sftp.on('REALPATH', (reqid, p) => {
    sftp.name(reqid, [{ filename: path.posix.normalize(`/${p}`), longname: '', attrs: {} as Attributes }]);
  });
  sftp.on('OPENDIR', (reqid, p) => {
    try {
      if (!statSync(local(p)).isDirectory()) return sftp.status(reqid, STATUS_CODE.FAILURE);
      const n = ++next;
      dirs.set(n, { path: local(p), done: false });
      sftp.handle(reqid, handle(n));
    } catch (err) {
      fail(reqid, err);
    }
  });
  sftp.on('READDIR', (reqid, h) => {
    const d = dirs.get(id(h));
    if (!d) return sftp.status(reqid, STATUS_CODE.FAILURE);
    if (d.done) return sftp.status(reqid, STATUS_CODE.EOF);
    d.done = true;
    sftp.name(
      reqid,
      readdirSync(d.path).map((filename) => {
        const attrs = attrsOf(statSync(path.join(d.path, filename)));
        return { filename, longname: filename, attrs };
      }),
    );
  });
  const stat = (reqid: number, p: string): void => {
    try {
      sftp.attrs(reqid, attrsOf(statSync(local(p))));
    } catch (err) {
      fail(reqid, err);
    }
  };
  sftp.on('STAT', stat);
  sftp.on('LSTAT', stat);
  sftp.on('OPEN', (reqid, p, flags) => {
    if (flags !== utils.sftp.OPEN_MODE.READ) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
    try {
      const n = ++next;
      files.set(n, openSync(local(p), 'r'));
      sftp.handle(reqid, handle(n));
    } catch (err) {
      fail(reqid, err);
    }
  });
  sftp.on('FSTAT', (reqid, h) => {
    const fd = files.get(id(h));
    if (fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
    sftp.attrs(reqid, attrsOf(fstatSync(fd)));
  });
  sftp.on('READ', (reqid, h, offset, length) => {
    const fd = files.get(id(h));
    if (fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, offset);
    if (n === 0) return sftp.status(reqid, STATUS_CODE.EOF);
    sftp.data(reqid, buf.subarray(0, n));
  });
  sftp.on('CLOSE', (reqid, h) => {
    const n = id(h);
    const fd = files.get(n);
    if (fd !== undefined) closeSync(fd);
    files.delete(n);
    dirs.delete(n);
    sftp.status(reqid, STATUS_CODE.OK);
  });
  sftp.on('RENAME', (reqid, from, to) => {
    try {
      renameSync(local(from), local(to));
      sftp.status(reqid, STATUS_CODE.OK);
    } catch (err) {
      fail(reqid, err);
    }
  });
}
