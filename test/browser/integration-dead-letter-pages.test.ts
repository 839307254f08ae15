import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIntegrationRoutes } from '../../src/integration/pipeline/routes';
import { type Browser, findChromium, signIn, startBrowserKith } from '../helpers/browser';
import { TEST_ADMIN, type TestKith } from '../helpers/kith';

const chromiumPath = findChromium();

// 25 rows with an unknown program code (each its own dead letter) and one good row.
const HEADER = 'CaseNumber,PersonID,LastName,FirstName,DOB,Program,Status,BeginDate';
const rows = Array.from({ length: 25 }, (_, i) => `C${i},P${i},Page,Row ${i},1990-01-01,ZZ,A,2024-01-01`);
const FILE = [HEADER, 'G1,PG,Good,Row,1990-01-01,MC,A,2024-01-01', ...rows].join('\n');

describe.skipIf(!chromiumPath)('web app: failed rows of a file, paged on the data sources page', () => {
  let kith: TestKith;
  let browser: Browser;
  let base: string;
  let page: Page;

  beforeAll(async () => {
    ({ kith, browser, base, page } = await startBrowserKith(chromiumPath!, {
      routes: async (k) => {
        await registerIntegrationRoutes(k.app, k.kith, {
          channels: () => [{ name: 'eligibility', kind: 'eligibility' }],
        });
      },
    }));
    await signIn(page, base, TEST_ADMIN.username, TEST_ADMIN.password);
  });

  afterAll(async () => {
    await browser?.close();
    await kith?.close();
  });

  it('shows 20 failed rows a page with their row and column; the next page has the rest; a corrected row commits', async () => {
    const push = await kith.inject({
      method: 'POST',
      url: '/api/integration/channels/eligibility/push',
      headers: { 'content-type': 'text/csv' },
      payload: FILE,
    });
    expect(push.json()).toMatchObject({ status: 'committed', counts: { failed: 25 } });
    const fileId = push.json().messageId as number;

    await page.goto(`${base}/admin/data-sources`);
    await page.getByText('1–20 of 25').waitFor();
    const letters = page.getByRole('listitem', { name: /^Message \d+$/ });
    expect(await letters.count()).toBe(20);
    const first = letters.first();
    expect(await first.innerText()).toContain(`one row of message ${fileId}`);
    expect(await first.locator('.dead-letter-errors').innerText()).toMatch(
      /push\.csv row 3 column Program: .*'ZZ'/,
    );

    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('21–25 of 25').waitFor();
    expect(await letters.count()).toBe(5);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    const last = letters.last();
    expect(await last.locator('.dead-letter-errors').innerText()).toMatch(/push\.csv row 27 column Program/);

    // The last row, corrected in place, commits and leaves the list.
    const content = last.getByLabel('Message content');
    expect(await content.inputValue()).toBe(`${HEADER}\n${rows[24]}\n`);
    await content.fill(`${HEADER}\n${rows[24].replace(',ZZ,', ',CF,')}\n`);
    await last.getByRole('button', { name: 'Replay corrected' }).click();
    await page.getByRole('status').filter({ hasText: 'replayed and committed' }).waitFor();
    await page.getByText('21–24 of 24').waitFor();

    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('1–20 of 24').waitFor();
    const { rows: stored } = await kith.kith.db.query(
      "select count(*)::int as n from fhir_resources where resource_type = 'EpisodeOfCare' and not deleted",
    );
    expect(stored[0].n).toBe(2);
  }, 240_000);
});
