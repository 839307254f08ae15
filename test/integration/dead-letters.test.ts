import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { Inbox, validateChannel } from '../../src/integration/channels';
import { ensureIntegrationSchema, Pipeline } from '../../src/integration/pipeline/pipeline';
import { registerIntegrationRoutes } from '../../src/integration/pipeline/routes';

const HEADER = 'CaseNumber,PersonID,LastName,FirstName,DOB,Program,Status,BeginDate,EndDate';
const FILE = [
  HEADER,
  'C1,P1,Rivera,Ana,1988-04-02,MC,A,2024-01-01,',
  'C2,P2,Nguyen,Bao,1990-01-01,XX,A,2024-01-01,',
  'C3,P3,Park,Min,1991-01-01,CF,A,2024-01-01,',
  'C4,P4,Diaz,Eva,1992-02-02,CW,A,2024-05-01,2024-04-01',
  'C5,P5,Lee,Kim,1993-03-03,CC,A,2024-01-01,',
].join('\n');

interface Letter {
  id: number;
  channel: string;
  messageKey: string;
  parentId: number | null;
  attempts: number;
  raw?: string;
  error: { message: string; file?: string; row?: number; column?: string }[];
}

describe('dead letters: one per failed file row, paged, replayable; unreadable inbox files listed', () => {
  let t: TestKith;
  let pipeline: Pipeline;
  const channels = [
    validateChannel({ name: 'elig', kind: 'eligibility' }, 'elig.json'),
    validateChannel(
      { name: 'hmis-drop', kind: 'hmis', inbox: { dir: mkdtempSync(path.join(os.tmpdir(), 'kith-hmis-')) } },
      'hmis-drop.json',
    ),
  ];
  beforeAll(async () => {
    t = await startTestKith();
    await ensureIntegrationSchema(t.kith);
    pipeline = await registerIntegrationRoutes(t.app, t.kith, { channels: () => channels });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const episodes = async (): Promise<number> => {
    const { rows } = await t.kith.db.query(
      `select count(*)::int as n from fhir_resources where resource_type = 'EpisodeOfCare' and not deleted`,
    );
    return rows[0].n;
  };
  const letters = async (
    query = '',
  ): Promise<{ deadLetters: Letter[]; total: number; next: number | null }> =>
    (await t.inject({ method: 'GET', url: `/api/integration/dead-letters?raw=true${query}` })).json();
  const replay = async (id: number, raw?: string) =>
    (
      await t.inject({
        method: 'POST',
        url: `/api/integration/dead-letters/${id}/replay`,
        payload: raw === undefined ? {} : { raw },
      })
    ).json();

  it('commits the good rows of a CSV and keeps each bad row as its own dead letter with row and column', async () => {
    const push = await t.inject({
      method: 'POST',
      url: '/api/integration/channels/elig/push',
      headers: { 'content-type': 'text/csv' },
      payload: FILE,
    });
    const outcome = push.json();
    expect(outcome).toMatchObject({ status: 'committed', counts: { failed: 2 } });
    expect(await episodes()).toBe(3);

    const page = await letters('&channel=elig');
    expect(page.total).toBe(2);
    const [program, endDate] = page.deadLetters;
    expect(program).toMatchObject({
      parentId: outcome.messageId,
      messageKey: `${outcome.messageKey}#push.csv:3`,
      raw: `${HEADER}\nC2,P2,Nguyen,Bao,1990-01-01,XX,A,2024-01-01,\n`,
    });
    expect(program.error).toEqual([
      expect.objectContaining({
        file: 'push.csv',
        row: 3,
        column: 'Program',
        message: expect.stringMatching(/'XX'/),
      }),
    ]);
    expect(endDate.error[0]).toMatchObject({ row: 5, column: 'EndDate' });

    // The same file again changes nothing and adds no letters.
    const again = await t.inject({
      method: 'POST',
      url: '/api/integration/channels/elig/push',
      headers: { 'content-type': 'text/csv' },
      payload: FILE,
    });
    expect(again.json().duplicate).toBe(true);
    expect((await letters('&channel=elig')).total).toBe(2);

    // Replayed unchanged, the row fails again: still one letter, one more attempt, no new letters.
    const failedAgain = await replay(program.id);
    expect(failedAgain.status).toBe('failed');
    // Its errors (returned and kept) name the row it has in the original file, not row 2 of the replay.
    expect(failedAgain.issues[0].message).toMatch(/push.csv row 3 column Program: 'XX'/);
    expect(failedAgain.issues[0]).toMatchObject({ file: 'push.csv', row: 3, column: 'Program' });
    const after = await letters('&channel=elig');
    expect(after.total).toBe(2);
    expect(after.deadLetters[0]).toMatchObject({ id: program.id, attempts: 2 });
    expect(after.deadLetters[0].error).toEqual([
      expect.objectContaining({
        file: 'push.csv',
        row: 3,
        column: 'Program',
        message: expect.stringMatching(/^push.csv row 3 column Program: 'XX'/),
      }),
    ]);
    // A correction with another mistake: the new error is named at the original row too.
    const wrongDate = await replay(endDate.id, endDate.raw!.replace('2024-04-01', '2024-13-45'));
    expect(wrongDate.status).toBe('failed');
    expect(wrongDate.issues).toEqual([
      expect.objectContaining({ file: 'push.csv', row: 5, column: 'EndDate' }),
    ]);
    expect((await letters('&channel=elig')).deadLetters[1].error[0]).toMatchObject({
      row: 5,
      column: 'EndDate',
    });

    // Corrected, it commits: one more episode, one letter left.
    const fixed = await replay(program.id, program.raw!.replace(',XX,', ',CF,'));
    expect(fixed.status).toBe('committed');
    expect(await episodes()).toBe(4);
    const rest = await letters('&channel=elig');
    expect(rest.deadLetters.map((d) => d.id)).toEqual([endDate.id]);

    const status = (await t.inject({ method: 'GET', url: '/api/integration/channels' }))
      .json()
      .channels.find((c: { name: string }) => c.name === 'elig');
    expect(status).toMatchObject({ received: 1, committed: 1, failed: 1, duplicate: 1 });
  }, 120_000);

  it('an HMIS inbox moves a file that is not an export to failed/ with the reason, and lists it', async () => {
    const inbox = new Inbox(channels[1], pipeline);
    writeFileSync(path.join(inbox.dir, 'Client.csv'), 'PersonalID\n1\n');
    const [outcome] = await inbox.poll();
    expect(outcome.status).toBe('failed');
    expect(existsSync(path.join(inbox.dir, 'Client.csv'))).toBe(false);
    const failed = readdirSync(path.join(inbox.dir, 'failed'));
    expect(failed.sort()).toEqual([
      expect.stringMatching(/-Client\.csv$/),
      expect.stringMatching(/-Client\.csv\.error\.txt$/),
    ]);
    const note = readFileSync(
      path.join(
        inbox.dir,
        'failed',
        failed.find((f) => f.endsWith('.txt'))!,
      ),
      'utf8',
    );
    expect(note).toMatch(/^Client\.csv: not an HMIS export: .*folder or a zip file.*; moved to failed\/\n$/);
    const page = await letters('&channel=hmis-drop');
    expect(page.deadLetters).toHaveLength(1);
    expect(page.deadLetters[0].error[0]).toMatchObject({
      file: 'Client.csv',
      message: expect.stringMatching(/not an HMIS export/),
    });
    // A second poll does not see it again.
    expect(await inbox.poll()).toEqual([]);
  }, 120_000);

  it('pages the list oldest first with limit and after; bad paging parameters are refused', async () => {
    for (const n of [1, 2, 3])
      await pipeline.rejectInput(channels[0], `extra-${n}.csv`, `extra-${n}.csv: unreadable`);
    const all = await letters();
    expect(all.total).toBe(5);
    expect(all.next).toBeNull();
    const ids = all.deadLetters.map((d) => d.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const first = await letters('&limit=2');
    expect(first.deadLetters.map((d) => d.id)).toEqual(ids.slice(0, 2));
    expect(first.next).toBe(ids[1]);
    const second = await letters(`&limit=2&after=${first.next}`);
    expect(second.deadLetters.map((d) => d.id)).toEqual(ids.slice(2, 4));
    const third = await letters(`&limit=2&after=${second.next}`);
    expect(third.deadLetters.map((d) => d.id)).toEqual(ids.slice(4));
    expect(third.next).toBeNull();
    expect(third.total).toBe(5);

    const bad = await t.inject({ method: 'GET', url: '/api/integration/dead-letters?limit=0' });
    expect(bad.statusCode).toBe(400);
    expect((await t.inject({ method: 'GET', url: '/api/integration/dead-letters?after=x' })).statusCode).toBe(
      400,
    );
  }, 120_000);
});
