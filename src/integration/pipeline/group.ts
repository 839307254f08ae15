import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { FhirService, queryFromString } from '../../fhir/service';
import { CONDITIONAL_LOCK_NAMESPACE, conditionalLockKeys } from '../../fhir/conditional-lock';
import { parseSearch } from '../../fhir/search/parse';

import { processBundle } from '../../fhir/transaction';
import { executeSearchMany, type FhirStore, type SearchRequest } from '../../store';
import { rideOrRun } from '../../store/riders';
import { buildAck, hasErrors, toTransactionBundle, type Hl7Outcome } from '../index';
import {
  emptyCounts,
  prepareHl7,
  type ChannelRef,
  type Counts,
  type Pipeline,
  type PipelineOutcome,
} from './pipeline';
import { countResponse, messageProvenance, writtenReference } from './provenance';

export interface GroupCommitOptions {
  /** How long the first message of a group waits for others when nothing is running (ms). */
  windowMs?: number;
  /** The most messages committed in one transaction. */
  maxMessages?: number;
  /**
   * How many senders could add to a group now (the listener's open connections): once each of them
   * has a message waiting, nobody else can join, so the group starts without waiting the window.
   */
  senders?: () => number;
}

interface Item {
  channel: ChannelRef;
  raw: string;
  t0: number;
  /** The connection it came on (see GroupCommitOptions.senders). */
  sender: unknown;
  outcome: Hl7Outcome;
  key: string;
  /** The AA to send once committed (built before the transaction). */
  ack?: string;
  resolve: (out: PipelineOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for HL7 v2 messages: messages arriving on any connection within a short window (or
 * while the previous group commits) are committed together in ONE database transaction — their raw
 * rows and the locks of their conditional criteria in one statement, the criteria resolved in
 * another, their new resources in one bulk create (identity resolution for the set at once), their
 * Provenances in another that also carries their statuses — and each caller hears back only after
 * that commit.
 *
 * Groups run one at a time, in arrival order, so messages of one connection keep their order. Two
 * copies of one message (same key) never share a group: the second waits for the next and is
 * answered as a duplicate. A message that writes nothing (refused, or mapped with errors), merges
 * (A40) or deletes goes alone through `Pipeline.receiveHl7`, in its place in the order. When a group
 * fails as a whole (one bad resource fails the transaction), each of its messages is retried alone,
 * so each gets its own ACK and a bad one its own dead letter.
 */
export class Hl7GroupCommitter {
  /** Groups committed, the messages in them, the largest, and groups that failed whole (retried alone). */
  readonly stats = { groups: 0, messages: 0, largest: 0, fallbacks: 0 };
  private readonly queue: Item[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly windowMs: number;
  private readonly maxMessages: number;
  private readonly senders: (() => number) | undefined;
  /** Messages waiting, by sender. */
  private readonly waiting = new Map<unknown, number>();

  constructor(
    readonly pipeline: Pipeline,
    opts: GroupCommitOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? Number(process.env.KITH_MLLP_GROUP_WINDOW_MS ?? 2);
    this.maxMessages = Math.max(1, opts.maxMessages ?? Number(process.env.KITH_MLLP_GROUP_MAX ?? 64));
    this.senders = opts.senders;
  }

  /** Resolves with the message's outcome (and ACK) once it is committed or refused. */
  submit(channel: ChannelRef, raw: string, sender?: unknown): Promise<PipelineOutcome> {
    const t0 = performance.now();
    return new Promise<PipelineOutcome>((resolve, reject) => {
      // Parsing and mapping happen now, while an earlier group may be waiting on the database.
      let prepared: ReturnType<typeof prepareHl7>;
      try {
        prepared = prepareHl7(channel, raw);
      } catch (err) {
        reject(err);
        return;
      }
      this.queue.push({ channel, raw, t0, sender, ...prepared, resolve, reject });
      this.waiting.set(sender, (this.waiting.get(sender) ?? 0) + 1);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running) return;
    const everyone = this.senders !== undefined && this.waiting.size >= this.senders();
    if (this.queue.length >= this.maxMessages || this.windowMs <= 0 || everyone) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      void this.drain();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.drain();
      }, this.windowMs);
    }
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const items = this.queue.splice(0, this.maxMessages);
      for (const item of items) {
        const n = (this.waiting.get(item.sender) ?? 1) - 1;
        if (n > 0) this.waiting.set(item.sender, n);
        else this.waiting.delete(item.sender);
      }
      await this.process(items);
    } finally {
      this.running = false;
    }
    // The next group waits the window too (unless full): the senders just answered send their next
    // messages within it, so a group gathers every connection instead of alternating halves.
    if (this.queue.length > 0) this.schedule();
  }

  /** Runs of groupable messages with distinct keys go together; the others alone, in their place. */
  private async process(items: Item[]): Promise<void> {
    let run: Item[] = [];
    const keys = new Set<string>();
    const flush = async (): Promise<void> => {
      if (run.length > 0) await this.commitRun(run);
      run = [];
      keys.clear();
    };
    for (const item of items) {
      const k = `${item.channel.name}\u0000${item.key}`;
      if (keys.has(k)) await flush();
      if (groupable(item.outcome)) {
        run.push(item);
        keys.add(k);
        continue;
      }
      await flush();
      await settle(item, () => this.pipeline.receiveHl7(item.channel, item.raw));
    }
    await flush();
  }

  private async commitRun(run: Item[]): Promise<void> {
    for (const item of run) item.ack ??= buildAck(item.outcome.parsed, 'AA', item.outcome.issues).toString();
    let outs: (PipelineOutcome | 'duplicate')[];
    try {
      outs = await this.pipeline.kith.store.inTransaction((tx) => writeGroup(tx, run));
    } catch {
      this.stats.fallbacks++;
      // One message failed the group: each alone, in order, so only the bad one fails.
      for (const item of run) await settle(item, () => this.pipeline.receiveHl7(item.channel, item.raw));
      return;
    }
    this.stats.groups++;
    this.stats.messages += run.length;
    this.stats.largest = Math.max(this.stats.largest, run.length);
    for (const [i, item] of run.entries()) {
      const out = outs[i];
      if (out !== 'duplicate') item.resolve(out);
      else
        await settle(item, async () => ({
          ...(await this.pipeline.markDuplicate(item.channel.name, item.key)),
          counts: emptyCounts(),
          issues: [],
        }));
    }
  }
}

async function settle(item: Item, fn: () => Promise<PipelineOutcome>): Promise<void> {
  try {
    item.resolve(await fn());
  } catch (err) {
    item.reject(err);
  }
}

/** A message whose result is only conditional creates and updates of resources without ids. */
function groupable(outcome: Hl7Outcome): boolean {
  if (hasErrors(outcome.issues) || outcome.result.merges.length > 0) return false;
  return outcome.result.resources.every(
    (r) => r.action === 'upsert' && !r.resource?.id && r.conditionalUrl.includes('?'),
  );
}

/** The conditional URLs and fullUrls a message writes, and the conditional references it makes. */
function namedUrls(item: Item): string[] {
  const urls: string[] = [];
  for (const r of item.outcome.result.resources) {
    urls.push(r.conditionalUrl, r.fullUrl);
    for (const m of JSON.stringify(r.resource ?? {}).matchAll(/"reference":"([A-Z][A-Za-z]+\?[^"]+)"/g))
      urls.push(m[1]);
  }
  return urls;
}

/**
 * Stores a group's raw messages and takes the conditional locks of everything the group writes
 * ($4 namespace, $5 keys: as `lockConditionalMany` takes them), in one statement; a key already
 * committed returns no row (a duplicate). The locks cover the criteria of duplicates too (harmless).
 * Each row is written as committed with its ACK ($6) at once: nobody sees it before this
 * transaction commits, and if it fails nothing of it stays. The statuses and the ACK are indexed or
 * large; setting them here leaves the last update only unindexed columns, so PostgreSQL can make it
 * a HOT update (no new index entries in the table's five indexes for each message).
 */
const INSERT_RAW_MANY = {
  name: 'kith-mllp-insert-raw-many',
  text: `insert into integration_messages (channel, message_key, kind, raw, status, committed_at, ack)
  select c, k, 'hl7v2', r, 'committed', now(), a
  from unnest($1::text[], $2::text[], $3::text[], $6::text[]) as t(c, k, r, a),
    (select count(pg_advisory_xact_lock($4::int, l)) as locked from unnest($5::int[]) as l) as locks
  where locks.locked >= 0
  on conflict (channel, message_key) do update
    set raw = excluded.raw, status = 'committed', attempts = integration_messages.attempts + 1,
        received_at = now(), committed_at = now(), ack = excluded.ack, error = null
    where integration_messages.status <> 'committed'
  returning id, channel, message_key`,
};

/**
 * Rides (see src/store/riders.ts) in the statement that writes the group's Provenances: what is
 * known only after the writes. Unindexed columns only (see INSERT_RAW_MANY).
 */
const RECORD_SUMMARY_MANY = `update integration_messages m set latency_ms = t.latency, summary = t.summary::jsonb
  from unnest($1::bigint[], $2::float8[], $3::text[]) as t(id, latency, summary)
  where m.id = t.id`;

/**
 * The ids (at most `limit` each) of the current resources that each `type`, token `code` and
 * `system|value` names: a conditional criterion of the one shape the HL7 mappers write
 * (`identifier=system|value`), resolved like the search would (see tokenCondition) by one
 * statement whose text never changes, so each connection plans it once. The general search's
 * union of one arm per criterion is planned again for every group.
 */
const TOKEN_CRITERIA_MANY = {
  name: 'kith-mllp-token-criteria-many',
  text: `select t.n - 1 as n, m.id
  from unnest($1::text[], $2::text[], $3::text[], $4::text[]) with ordinality as t(rt, code, sys, val, n)
  cross join lateral (
    select r.id from fhir_resources r
    where r.resource_type = t.rt and not r.deleted
      and r.id in (select s.id from sp_token s
                   where s.resource_type = t.rt and s.code = t.code and s.system = t.sys and s.value = t.val)
    limit $5) m`,
};

/** The `Type?criteria` a transaction entry's request names, split. */
function splitCriteria(url: string): { type: string; criteria: string } {
  const at = url.indexOf('?');
  return { type: url.slice(0, at), criteria: url.slice(at + 1) };
}

/**
 * Commits a run of groupable messages with distinct keys in the caller's transaction: the raw rows
 * and every conditional lock in one statement, each wave's criteria in one search and its resources
 * in one transaction Bundle, then every Provenance in one statement carrying the status update.
 */
async function writeGroup(tx: FhirStore, run: Item[]): Promise<(PipelineOutcome | 'duplicate')[]> {
  const entries = new Map(
    run.map((item) => [
      item,
      ((toTransactionBundle(item.outcome.result) as unknown as Bundle).entry ?? []) as BundleEntry[],
    ]),
  );
  const locks = conditionalLockKeys([...entries.values()].flat().map((e) => splitCriteria(e.request!.url)));
  const { rows } = await tx.queryable.query({
    ...INSERT_RAW_MANY,
    values: [
      run.map((i) => i.channel.name),
      run.map((i) => i.key),
      run.map((i) => i.raw),
      CONDITIONAL_LOCK_NAMESPACE,
      locks,
      run.map((i) => i.ack ?? null),
    ],
  });
  const ids = new Map(rows.map((r) => [`${r.channel}\u0000${r.message_key}`, Number(r.id)]));
  const fresh = run.filter((i) => ids.has(`${i.channel.name}\u0000${i.key}`));
  const counts = new Map<Item, Counts>();
  const targets = new Map<Item, string[]>();
  // Waves: a message naming a resource an earlier one of its wave names waits for the next wave,
  // whose criteria are resolved after that one's writes.
  let rest = fresh;
  while (rest.length > 0) {
    const wave: Item[] = [];
    const later: Item[] = [];
    const named = new Set<string>();
    for (const item of rest) {
      const urls = namedUrls(item);
      if (later.length > 0 || urls.some((u) => named.has(u))) later.push(item);
      else {
        wave.push(item);
        for (const u of urls) named.add(u);
      }
    }
    await writeWave(tx, wave, entries, counts, targets);
    rest = later;
  }
  if (fresh.length > 0)
    await rideOrRun(tx.queryable, {
      sql: RECORD_SUMMARY_MANY,
      values: [
        fresh.map((i) => ids.get(`${i.channel.name}\u0000${i.key}`)),
        fresh.map((i) => performance.now() - i.t0),
        fresh.map((i) => JSON.stringify(counts.get(i) ?? emptyCounts())),
      ],
    });
  // After what they name, so their labels derive from those as written (no read: see labelForWrite).
  await tx.createMany(
    fresh
      .filter((item) => targets.has(item))
      .map((item) =>
        messageProvenance(
          item.channel,
          ids.get(`${item.channel.name}\u0000${item.key}`)!,
          targets.get(item)!,
        ),
      ),
  );
  return run.map((item) => {
    const id = ids.get(`${item.channel.name}\u0000${item.key}`);
    if (id === undefined) return 'duplicate';
    return {
      messageId: id,
      messageKey: item.key,
      status: 'committed',
      duplicate: false,
      ack: item.ack,
      ackCode: 'AA',
      issues: item.outcome.issues,
      counts: counts.get(item) ?? emptyCounts(),
    };
  });
}

/**
 * One wave: every conditional criterion (already locked, see INSERT_RAW_MANY) resolved in one
 * statement, then one transaction Bundle in which a criterion that matched one resource is an
 * update of it and one that matched none a create (all creates in one statement). A criterion
 * matching several resources fails the group (its message then fails alone).
 */
async function writeWave(
  tx: FhirStore,
  wave: Item[],
  entriesOf: Map<Item, BundleEntry[]>,
  counts: Map<Item, Counts>,
  targets: Map<Item, string[]>,
): Promise<void> {
  const service = new FhirService(tx);
  const bundles = wave.map((item) => entriesOf.get(item) ?? []);
  const criteria = [...new Set(bundles.flat().map((e) => e.request!.url))];
  const split = criteria.map(splitCriteria);
  const found = await resolveCriteria(tx, split);
  const match = new Map(criteria.map((url, i) => [url, found[i]]));
  const entries: BundleEntry[] = [];
  const owner: Item[] = [];
  for (const [k, list] of bundles.entries()) {
    for (const e of list) {
      const [type] = e.request!.url.split('?');
      const hit = match.get(e.request!.url) ?? [];
      if (hit.length > 1) throw new Error(`${e.request!.url} matched several ${type}`);
      entries.push(
        hit.length === 1
          ? {
              fullUrl: e.fullUrl,
              resource: { ...(e.resource as Resource), id: hit[0] },
              request: { method: 'PUT', url: `${type}/${hit[0]}` },
            }
          : { fullUrl: e.fullUrl, resource: e.resource, request: { method: 'POST', url: type } },
      );
      owner.push(wave[k]);
    }
  }
  const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries };
  const response = entries.length
    ? await processBundle(service, bundle, { base: '', returnRepresentation: false })
    : { entry: [] };
  for (const [i, e] of (response.entry ?? []).entries()) {
    const item = owner[i];
    const c = counts.get(item) ?? { ...emptyCounts(), read: item.outcome.result.resources.length };
    countResponse(c, e);
    counts.set(item, c);
    const ref = writtenReference(e);
    if (ref) targets.set(item, [...(targets.get(item) ?? []), ref]);
  }
}

/** Each criterion's matching ids (at most 2): one fixed statement when all are single identifier tokens. */
async function resolveCriteria(
  tx: FhirStore,
  split: { type: string; criteria: string }[],
): Promise<string[][]> {
  const reqs = split.map((c) => {
    const req = parseSearch(c.type, queryFromString(c.criteria));
    if (req.filters.length === 0)
      throw new Error(`conditional criteria '${c.criteria}' have no known parameter`);
    return req;
  });
  const tokens = reqs.map(singleSystemToken);
  if (reqs.length === 0 || tokens.some((t) => t === undefined))
    return executeSearchMany(tx.queryable, reqs, 2);
  const ts = tokens as { code: string; system: string; value: string }[];
  const { rows } = await tx.queryable.query({
    ...TOKEN_CRITERIA_MANY,
    values: [
      reqs.map((r) => r.resourceType),
      ts.map((t) => t.code),
      ts.map((t) => t.system),
      ts.map((t) => t.value),
      2,
    ],
  });
  const out: string[][] = reqs.map(() => []);
  for (const row of rows) out[Number(row.n)].push(row.id as string);
  return out;
}

/** `code=system|value` with both parts, no modifier and one value: the criterion tokenCondition reads as such. */
function singleSystemToken(req: SearchRequest): { code: string; system: string; value: string } | undefined {
  if (req.filters.length !== 1) return undefined;
  const f = req.filters[0];
  if (f.kind !== 'param' || f.type !== 'token' || f.modifier !== undefined || f.values.length !== 1)
    return undefined;
  const v = f.values[0];
  const bar = v.indexOf('|');
  if (bar <= 0 || bar === v.length - 1) return undefined;
  return { code: f.code, system: v.slice(0, bar), value: v.slice(bar + 1) };
}
