import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMllpServer, type MllpServer } from '../../src/integration/mllp/server';
import { registerIntegrationRoutes } from '../../src/integration/pipeline/routes';
import { type Browser, findChromium, signIn, startBrowserKith } from '../helpers/browser';
import { TEST_ADMIN, type TestKith } from '../helpers/kith';
import { ackCode, MllpTestClient } from '../integration/mllp-client';

const chromiumPath = findChromium();

const message = (pid3: string): string =>
  [
    'MSH|^~\\&|EHR|ADMINTEST|KITH|COUNTY|20240101120000||ADT^A04^ADT_A01|ADM1|P|2.5.1',
    'EVN|A04|20240101120000',
    `PID|1||${pid3}||ROE^RICHARD||19700202|M`,
    'PV1|1|O',
  ].join('\r');

describe.skipIf(!chromiumPath)('web app: data sources admin page in Chromium', () => {
  let kith: TestKith;
  let browser: Browser;
  let mllp: MllpServer;
  let base: string;
  let page: Page;

  beforeAll(async () => {
    let pipeline: Awaited<ReturnType<typeof registerIntegrationRoutes>> | undefined;
    ({ kith, browser, base, page } = await startBrowserKith(chromiumPath!, {
      routes: async (k) => {
        pipeline = await registerIntegrationRoutes(k.app, k.kith, {
          channels: () => [{ name: 'mllp-adt', kind: 'hl7v2' }],
        });
      },
    }));
    mllp = await startMllpServer(kith.kith, { port: 0, host: '127.0.0.1', pipeline });
    await signIn(page, base, TEST_ADMIN.username, TEST_ADMIN.password);
  });

  afterAll(async () => {
    await mllp?.close();
    await browser?.close();
    await kith?.close();
  });

  it('lists a refused HL7 message with its segment and field; the corrected replay commits and the counts change', async () => {
    const client = await MllpTestClient.connect(mllp.port);
    expect(ackCode(await client.send(message('')))).toBe('AE');
    client.close();

    await page.goto(`${base}/admin/data-sources`);
    const channel = page.getByRole('row', { name: 'mllp-adt' });
    await channel.waitFor();
    const cells = (): Promise<string[]> => channel.locator('td').allInnerTexts();
    expect((await cells()).slice(0, 7)).toEqual([
      'mllp-adt',
      'hl7v2',
      'Has failed messages',
      '1',
      '0',
      '1',
      '0',
    ]);

    const letter = page.getByRole('listitem', { name: /^Message \d+$/ });
    expect(await letter.locator('h3').innerText()).toContain('ADMINTEST|ADM1');
    const errors = await letter.locator('.dead-letter-errors').innerText();
    expect(errors).toMatch(/PID-3/);

    // Replaying it unchanged fails again with the same error and one more attempt.
    await letter.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'failed again' }).waitFor();
    await page.getByText('2 attempts').waitFor();

    // Corrected: the identifier filled in, it commits and leaves the list.
    const content = letter.getByLabel('Message content');
    await content.fill(message('ADM1-MRN^^^ADMINTEST^MR'));
    await letter.getByRole('button', { name: 'Replay corrected' }).click();
    await page.getByRole('status').filter({ hasText: 'replayed and committed' }).waitFor();
    await page.getByText('No failed messages.').waitFor();
    expect((await cells()).slice(0, 7)).toEqual(['mllp-adt', 'hl7v2', 'Receiving', '1', '1', '0', '0']);
    const { rows } = await kith.kith.db.query(
      "select count(*)::int as n from fhir_resources where resource_type = 'Patient' and not deleted",
    );
    expect(rows[0].n).toBe(1);
  }, 240_000);
});
