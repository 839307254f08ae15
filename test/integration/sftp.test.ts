import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { Inbox, SftpPull, validateChannel, type ChannelConfig } from '../../src/integration/channels';
import { ensureIntegrationSchema, Pipeline } from '../../src/integration/pipeline/pipeline';
import { registerIntegrationRoutes } from '../../src/integration/pipeline/routes';
import { startTestSftpServer, type TestSftpServer } from './sftp-server';

const HEADER = 'WICID,FamilyID,LastName,FirstName,DOB,Sex,Category,Status,CertStartDate,CertEndDate,Agency';
const wicFile = (...ids: string[]): string =>
  [HEADER, ...ids.map((id) => `${id},F-${id},Pull,Pat ${id},1990-01-01,F,B,A,2024-06-01,,LA01`)].join('\n') +
  '\n';
const PASSWORD_ENV = 'KITH_TEST_SFTP_PASSWORD';

/** Writes a remote file with a modification time in the past (an upload that has finished). */
function putRemote(dir: string, name: string, text: string): void {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  const past = new Date(Date.now() - 120_000);
  utimesSync(file, past, past);
}

describe('SFTP pull into a file-drop channel (a real SFTP server on 127.0.0.1)', () => {
  let t: TestKith;
  let pipeline: Pipeline;
  let server: TestSftpServer;
  let remoteRoot: string;
  let work: string;
  const channels: ChannelConfig[] = [];
  const client = ssh2.utils.generateKeyPairSync('ed25519');

  beforeAll(async () => {
    t = await startTestKith();
    await ensureIntegrationSchema(t.kith);
    pipeline = await registerIntegrationRoutes(t.app, t.kith, { channels: () => channels });
    remoteRoot = mkdtempSync(path.join(os.tmpdir(), 'kith-sftp-remote-'));
    work = mkdtempSync(path.join(os.tmpdir(), 'kith-sftp-local-'));
    mkdirSync(path.join(remoteRoot, 'outgoing', 'done'), { recursive: true });
    mkdirSync(path.join(remoteRoot, 'keyed'), { recursive: true });
    server = await startTestSftpServer({
      root: remoteRoot,
      username: 'county',
      password: 's3cret-pass',
      publicKey: client.public,
    });
    process.env[PASSWORD_ENV] = 's3cret-pass';
  }, 120_000);
  afterAll(async () => {
    delete process.env[PASSWORD_ENV];
    await server?.close();
    await t?.close();
  });

  const channel = (
    name: string,
    sftp: Record<string, unknown>,
    kind = 'wic',
  ): { pull: SftpPull; inbox: Inbox } => {
    const c = validateChannel(
      {
        name,
        kind,
        sftp: { host: '127.0.0.1', port: server.port, username: 'county', minAgeSeconds: 5, ...sftp },
      },
      `${name}.json`,
      work,
    );
    channels.push(c);
    const inbox = new Inbox(c, pipeline);
    const pull = new SftpPull(c as ConstructorParameters<typeof SftpPull>[0], t.kith.db, () => inbox.poll());
    return { pull, inbox };
  };
  const episodes = async (): Promise<number> => {
    const { rows } = await t.kith.db.query(
      `select count(*)::int as n from fhir_resources where resource_type = 'EpisodeOfCare' and not deleted`,
    );
    return rows[0].n;
  };
  const status = async (name: string): Promise<Record<string, unknown>> => {
    const res = await t.inject({ method: 'GET', url: '/api/integration/channels' });
    return res.json().channels.find((c: { name: string }) => c.name === name);
  };

  it('pulls each new file once (password from an environment variable, host key pinned) and commits it', async () => {
    const outgoing = path.join(remoteRoot, 'outgoing');
    putRemote(outgoing, 'wic-1.csv', wicFile('W1', 'W2'));
    putRemote(outgoing, 'wic-2.csv', wicFile('W3'));
    // Still being uploaded: modified just now, so it waits for a later poll.
    writeFileSync(path.join(outgoing, 'wic-3.csv'), wicFile('W4'));
    const { pull, inbox } = channel('wic-sftp', {
      passwordEnv: PASSWORD_ENV,
      path: '/outgoing',
      hostKeySha256: server.hostKeySha256,
      // Wide enough that a slow, shared machine cannot age the fresh file past it mid-test.
      minAgeSeconds: 60,
    });
    expect(inbox.dir).toBe(path.join(work, 'inbox', 'wic-sftp'));

    const first = await pull.poll();
    expect(first).toEqual({ fetched: ['wic-1.csv', 'wic-2.csv'], waiting: ['wic-3.csv'] });
    expect(await episodes()).toBe(3);
    expect(readdirSync(path.join(inbox.dir, 'processed'))).toHaveLength(2);
    expect(await status('wic-sftp')).toMatchObject({
      received: 2,
      committed: 2,
      failed: 0,
      pull: { lastError: null, filesFetched: 2, hostKey: server.hostKeySha256 },
    });

    // Nothing new: nothing fetched, nothing received again.
    expect((await pull.poll()).fetched).toEqual([]);
    // The upload finishes: only that file is fetched.
    utimesSync(
      path.join(outgoing, 'wic-3.csv'),
      new Date(Date.now() - 60_000),
      new Date(Date.now() - 60_000),
    );
    expect((await pull.poll()).fetched).toEqual(['wic-3.csv']);
    // A file rewritten in place (new size and time) is fetched again.
    putRemote(outgoing, 'wic-1.csv', wicFile('W1', 'W2', 'W5'));
    expect((await pull.poll()).fetched).toEqual(['wic-1.csv']);
    expect(await episodes()).toBe(5);
    expect(await status('wic-sftp')).toMatchObject({ received: 4, committed: 4, duplicate: 0 });
    expect(server.logins).toHaveLength(4);
  }, 120_000);

  it('pulls sub-folders down to maxDepth, each file once by its full path (same names in other folders too)', async () => {
    const tree = path.join(remoteRoot, 'tree');
    mkdirSync(path.join(tree, '2024', '06', 'deep'), { recursive: true });
    putRemote(tree, 'top.csv', wicFile('T1'));
    putRemote(path.join(tree, '2024'), 'wic.csv', wicFile('T2'));
    putRemote(path.join(tree, '2024', '06'), 'wic.csv', wicFile('T3'));
    // Three levels down: beyond maxDepth 2, never listed.
    putRemote(path.join(tree, '2024', '06', 'deep'), 'wic.csv', wicFile('T4'));
    const before = await episodes();
    const { pull, inbox } = channel('wic-tree', { passwordEnv: PASSWORD_ENV, path: '/tree', maxDepth: 2 });
    expect(await pull.poll()).toEqual({
      fetched: ['2024/06/wic.csv', '2024/wic.csv', 'top.csv'],
      waiting: [],
    });
    expect(await episodes()).toBe(before + 3);
    expect(
      readdirSync(path.join(inbox.dir, 'processed'))
        .map((n) => n.replace(/^\d+-/, ''))
        .sort(),
    ).toEqual(['2024_06_wic.csv', '2024_wic.csv', 'top.csv']);
    // Remembered by full path: nothing again; a change in one sub-folder fetches that file only.
    expect((await pull.poll()).fetched).toEqual([]);
    putRemote(path.join(tree, '2024', '06'), 'wic.csv', wicFile('T3', 'T5'));
    expect((await pull.poll()).fetched).toEqual(['2024/06/wic.csv']);
    expect(await episodes()).toBe(before + 4);
    const { rows } = await t.kith.db.query(
      `select remote_path from integration_sftp_files where channel = 'wic-tree' order by remote_path`,
    );
    expect([...new Set(rows.map((r) => r.remote_path))]).toEqual([
      '/tree/2024/06/wic.csv',
      '/tree/2024/wic.csv',
      '/tree/top.csv',
    ]);
    expect(() =>
      validateChannel(
        {
          name: 'x',
          kind: 'wic',
          sftp: { host: 'h', username: 'u', path: '/p', passwordEnv: 'E', maxDepth: 11 },
        },
        'x.json',
      ),
    ).toThrow(/sftp.maxDepth: must be a whole number from 0 to 10/);
  }, 120_000);

  it('HMIS: an export that arrives as a folder (at any depth) is fetched whole and committed; processedPath inside the folder is not pulled again', async () => {
    const exportCsv = (id: string): string =>
      'ExportID,SourceType,SourceID,SourceName,ExportDate,CSVVersion,ExportDirective,HashStatus\n' +
      `${id},1,KCOC,Kith County CoC,2024-07-01 08:00:00,2024 v1.3,2,1\n`;
    const clients = (...ids: string[]): string =>
      'PersonalID,FirstName,MiddleName,LastName,NameSuffix,NameDataQuality,SSN,SSNDataQuality,DOB,DOBDataQuality,Woman,Man,NonBinary,CulturallySpecific,Transgender,Questioning,DifferentIdentity,GenderNone,DateDeleted\n' +
      ids.map((id) => `${id},Sftp,,Folder${id},,1,,99,1980-01-0${id.length},1,1,0,0,0,0,0,0,,\n`).join('');
    const root = path.join(remoteRoot, 'hmis');
    const a = path.join(root, 'agency-a', '2024-07-01');
    const b = path.join(root, 'export-b');
    mkdirSync(a, { recursive: true });
    mkdirSync(b, { recursive: true });
    mkdirSync(path.join(root, 'done'), { recursive: true });
    putRemote(a, 'Export.csv', exportCsv('EA'));
    putRemote(a, 'Client.csv', clients('HA1', 'HA2'));
    putRemote(b, 'Export.csv', exportCsv('EB'));
    putRemote(b, 'Client.csv', clients('HB1'));
    const patients = async (): Promise<number> =>
      (
        await t.kith.db.query(
          `select count(*)::int as n from fhir_resources where resource_type = 'Patient' and not deleted
             and content->'name'->0->>'family' like 'FolderH%'`,
        )
      ).rows[0].n;
    const { pull, inbox } = channel(
      'hmis-sftp',
      { passwordEnv: PASSWORD_ENV, path: '/hmis', processedPath: '/hmis/done' },
      'hmis',
    );
    expect(await pull.poll()).toEqual({ fetched: ['agency-a/2024-07-01', 'export-b'], waiting: [] });
    expect(await patients()).toBe(3);
    expect(await status('hmis-sftp')).toMatchObject({ received: 2, committed: 2, failed: 0 });
    // Each export went through the inbox as one folder, and was moved on the server as one.
    expect(
      readdirSync(path.join(inbox.dir, 'processed'))
        .map((n) => n.replace(/^\d+-/, ''))
        .sort(),
    ).toEqual(['agency-a_2024-07-01', 'export-b']);
    expect(readdirSync(path.join(root, 'done')).sort()).toEqual(['agency-a_2024-07-01', 'export-b']);
    expect(readdirSync(path.join(root, 'done', 'export-b')).sort()).toEqual(['Client.csv', 'Export.csv']);
    // The processed folder sits inside the pulled one: it is not pulled again.
    expect(await pull.poll()).toEqual({ fetched: [], waiting: [] });
    // An export folder still being written waits whole.
    const c = path.join(root, 'export-c');
    mkdirSync(c);
    putRemote(c, 'Export.csv', exportCsv('EC'));
    writeFileSync(path.join(c, 'Client.csv'), clients('HC1'));
    expect(await pull.poll()).toEqual({ fetched: [], waiting: ['export-c'] });
    expect(await patients()).toBe(3);
  }, 120_000);

  it('with a key from a secret file, moves fetched files to processedPath on the server', async () => {
    const keyed = path.join(remoteRoot, 'keyed');
    putRemote(keyed, 'a.csv', wicFile('K1'));
    const keyFile = path.join(work, 'client-key');
    writeFileSync(keyFile, client.private, { mode: 0o600 });
    const { pull } = channel('wic-keyed', {
      privateKeyFile: keyFile,
      path: '/keyed',
      processedPath: '/outgoing/done',
    });
    expect((await pull.poll()).fetched).toEqual(['a.csv']);
    expect(readdirSync(keyed)).toEqual([]);
    expect(readdirSync(path.join(remoteRoot, 'outgoing', 'done'))).toEqual(['a.csv']);
    expect(await status('wic-keyed')).toMatchObject({ committed: 1, pull: { filesFetched: 1 } });
  }, 120_000);

  it('a failed pull (wrong password, unknown host key, missing secret) is shown in the channel status; the next good pull clears it', async () => {
    putRemote(path.join(remoteRoot, 'outgoing'), 'late.csv', wicFile('L1'));
    const before = await episodes();
    const wrongPassword = channel('wic-bad-password', {
      passwordEnv: 'KITH_TEST_SFTP_WRONG',
      path: '/outgoing',
    });
    process.env.KITH_TEST_SFTP_WRONG = 'not-the-password';
    await expect(wrongPassword.pull.poll()).rejects.toThrow(/authentication/i);
    let s = await status('wic-bad-password');
    expect(s.pull).toMatchObject({ lastSuccessAt: null, filesFetched: 0 });
    expect((s.pull as { lastError: string }).lastError).toMatch(
      new RegExp(`^SFTP pull from 127.0.0.1:${server.port}/outgoing failed: .*authentication`, 'i'),
    );
    expect(await episodes()).toBe(before);

    // The password is fixed: the next pull succeeds and the error is gone.
    process.env.KITH_TEST_SFTP_WRONG = 's3cret-pass';
    expect((await wrongPassword.pull.poll()).fetched).toContain('late.csv');
    expect(await episodes()).toBe(before + 1);
    s = await status('wic-bad-password');
    expect(s.pull).toMatchObject({ lastError: null });
    delete process.env.KITH_TEST_SFTP_WRONG;

    const wrongHost = channel('wic-bad-host', {
      passwordEnv: PASSWORD_ENV,
      path: '/outgoing',
      hostKeySha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    await expect(wrongHost.pull.poll()).rejects.toThrow(/host key SHA256:\S+ does not match/);
    expect(((await status('wic-bad-host')).pull as { lastError: string }).lastError).toMatch(/host key/);

    const noSecret = channel('wic-no-secret', { passwordEnv: 'KITH_TEST_SFTP_UNSET', path: '/outgoing' });
    await expect(noSecret.pull.poll()).rejects.toThrow(
      'environment variable KITH_TEST_SFTP_UNSET is not set',
    );
    const missingDir = channel('wic-no-dir', { passwordEnv: PASSWORD_ENV, path: '/nowhere' });
    await expect(missingDir.pull.poll()).rejects.toThrow(/\/nowhere failed: No such file/);
  }, 120_000);

  it('validates the sftp block: credentials by reference only, required fields named', () => {
    expect(() =>
      validateChannel(
        { name: 'x', kind: 'wic', sftp: { host: 'h', username: 'u', path: '/p', password: 'plain' } },
        'x.json',
      ),
    ).toThrow(/x.json: sftp.password: secrets do not go in channel files/);
    expect(() => validateChannel({ name: 'x', kind: 'wic', sftp: { passwordEnv: 'E' } }, 'x.json')).toThrow(
      /sftp.host: is required[\s\S]*sftp.username: is required[\s\S]*sftp.path: is required/,
    );
    expect(() =>
      validateChannel(
        {
          name: 'x',
          kind: 'wic',
          sftp: { host: 'h', username: 'u', path: '/p', passwordEnv: 'A', privateKeyFile: 'k' },
        },
        'x.json',
      ),
    ).toThrow(/give exactly one credential/);
    const ok = validateChannel(
      {
        name: 'x',
        kind: 'wic',
        sftp: { host: 'h', username: 'u', path: '/p', passwordFile: '/run/secrets/x' },
      },
      'x.json',
      '/srv/kith',
    );
    expect(ok.sftp).toMatchObject({ port: 22, pollSeconds: 60, minAgeSeconds: 30 });
    expect(ok.inbox).toEqual({ dir: '/srv/kith/inbox/x', pollSeconds: 10 });
  });
});
