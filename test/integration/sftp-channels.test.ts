import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { registerIntegration, type Integration } from '../../src/integration/channels';
import { startTestSftpServer, type TestSftpServer } from './sftp-server';

const CSV =
  'WICID,FamilyID,LastName,FirstName,DOB,Sex,Category,Status,CertStartDate,CertEndDate,Agency\n' +
  'S1,F1,Served,Sam,1990-01-01,F,B,A,2024-06-01,,LA01\n';

describe('a channel file with an sftp block, as kith serve loads it', () => {
  let t: TestKith;
  let server: TestSftpServer;
  let integration: Integration;
  const saved = { dir: process.env.KITH_CHANNELS_DIR, mllp: process.env.KITH_MLLP_PORT };

  beforeAll(async () => {
    const remote = mkdtempSync(path.join(os.tmpdir(), 'kith-sftp-remote-'));
    mkdirSync(path.join(remote, 'out'));
    const file = path.join(remote, 'out', 'wic.csv');
    writeFileSync(file, CSV);
    const past = new Date(Date.now() - 600_000);
    utimesSync(file, past, past);
    server = await startTestSftpServer({ root: remote, username: 'wic', password: 'pw-from-a-secret-file' });

    const dir = mkdtempSync(path.join(os.tmpdir(), 'kith-channels-'));
    writeFileSync(path.join(dir, 'secret'), 'pw-from-a-secret-file\n', { mode: 0o600 });
    const sftp = {
      host: '127.0.0.1',
      port: server.port,
      username: 'wic',
      passwordFile: path.join(dir, 'secret'),
      path: '/out',
      pollSeconds: 3600,
    };
    writeFileSync(path.join(dir, 'wic.json'), JSON.stringify({ name: 'wic', kind: 'wic', sftp }));
    process.env.KITH_CHANNELS_DIR = dir;
    process.env.KITH_MLLP_PORT = 'off';
    t = await startTestKith();
    integration = await registerIntegration(t.app, t.kith);
  }, 120_000);
  afterAll(async () => {
    await integration?.stop();
    process.env.KITH_CHANNELS_DIR = saved.dir;
    process.env.KITH_MLLP_PORT = saved.mllp;
    if (saved.dir === undefined) delete process.env.KITH_CHANNELS_DIR;
    if (saved.mllp === undefined) delete process.env.KITH_MLLP_PORT;
    await server?.close();
    await t?.close();
  });

  const wic = async (): Promise<Record<string, unknown>> =>
    (await t.inject({ method: 'GET', url: '/api/integration/channels' }))
      .json()
      .channels.find((c: { name: string }) => c.name === 'wic');

  it('starts one pull for it; status shows no pull yet, then the pulled file committed', async () => {
    expect(integration.pulls.map((p) => p.channel.name)).toEqual(['wic']);
    expect(await wic()).toMatchObject({ configured: true, received: 0, pull: null });
    await integration.start();
    const result = await integration.pulls[0].poll();
    expect(result.fetched).toEqual(['wic.csv']);
    expect(await wic()).toMatchObject({
      received: 1,
      committed: 1,
      pull: { filesFetched: 1, lastError: null },
    });
  }, 120_000);
});
