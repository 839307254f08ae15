import { createHash } from 'node:crypto';
import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import { migrate } from '../../store/db/migrate';
import { FhirService } from '../../fhir/service';
import { processBundle } from '../../fhir/transaction';
import type { FhirStore } from '../../store';
import type { Kith } from '../../server/open';
import {
  buildAck,
  hasErrors,
  hl7Issue,
  mapEligibilityExtract,
  mapHmisExport,
  mapJailExtract,
  mapWicExtract,
  processHl7,
  readHmisExport,
  toTransactionBundle,
  type AckCode,
  type Hl7MappingOptions,
  type Hl7Outcome,
  type Issue,
  type MappingResult,
  type MergeInstruction,
} from '../index';
import { rowIssue } from '../issues';
import { INTEGRATION_MIGRATIONS } from './migrations';
import { splitFailedRows, type RowLetter } from './row-letters';
import { countResponse, messageProvenance, writtenReference } from './provenance';

/** What a channel carries; decides which mapper the pipeline calls. */
export type ChannelKind = 'hl7v2' | 'hmis' | 'eligibility' | 'wic' | 'jail' | 'fhir';

export interface ChannelRef {
  name: string;
  kind: ChannelKind;
  /** Identifier namespace of the sender (HL7: defaults to MSH-4; extracts: the layout default). */
  source?: string;
  hl7?: Hl7MappingOptions;
}

export type MessageStatus = 'received' | 'committed' | 'failed';

export interface Counts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
}

export interface PipelineOutcome {
  messageId: number;
  messageKey: string;
  status: MessageStatus;
  duplicate: boolean;
  /** HL7 only: the ACK text to send (the stored one for a duplicate). */
  ack?: string;
  ackCode?: AckCode;
  issues: Issue[];
  counts: Counts;
}

export interface DeadLetter {
  id: number;
  channel: string;
  messageKey: string;
  kind: string;
  receivedAt: string;
  attempts: number;
  error: unknown;
  /** For one failed row of a file: the file's message id. */
  parentId: number | null;
  raw?: string;
}

/** A page of dead letters, oldest first; `next` is the `after` of the following page. */
export interface DeadLetterPage {
  deadLetters: DeadLetter[];
  total: number;
  next: number | null;
}

/** Stores a received message once per (channel, key); a key already committed returns no row. */
const INSERT_RAW = `insert into integration_messages (channel, message_key, kind, raw, status)
  values ($1, $2, $3, $4, 'received')
  on conflict (channel, message_key) do update
    set raw = excluded.raw, status = 'received', attempts = integration_messages.attempts + 1,
        received_at = now(), error = null
    where integration_messages.status <> 'committed'
  returning id`;

export const emptyCounts = (): Counts => ({
  read: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  failed: 0,
});

/** Ensures the integration tables exist (idempotent; openKith may have run them already). */
export async function ensureIntegrationSchema(kith: Kith): Promise<void> {
  await migrate(kith.db, INTEGRATION_MIGRATIONS);
}

/**
 * The one path every channel takes: store the raw input under (channel, key) → map → commit the
 * transaction Bundle, a Provenance and the message status in one database transaction → ACK.
 * A key already committed changes nothing and returns the stored ACK; failures stay as dead letters.
 */
export class Pipeline {
  constructor(readonly kith: Kith) {}

  /** One HL7 v2 message (text). Resolves with the ACK to send, only after the commit. */
  async receiveHl7(channel: ChannelRef, raw: string, replayId?: number): Promise<PipelineOutcome> {
    const t0 = performance.now();
    const { outcome, key } = prepareHl7(channel, raw);
    if (hasErrors(outcome.issues)) {
      const ack = buildAck(outcome.parsed, outcome.ackCode, outcome.issues).toString();
      return this.storeFailed(channel, key, raw, outcome.issues, ack, outcome.ackCode, replayId);
    }
    // A replay updates its stored row; a new message is stored in the commit's own transaction.
    let message: number | { key: string; kind: string; raw: string } = { key, kind: 'hl7v2', raw };
    if (replayId !== undefined) message = (await this.storeRaw(channel.name, key, 'hl7v2', raw, replayId)).id;
    try {
      const c = await this.commit(
        channel,
        message,
        outcome.result,
        raw,
        async () => buildAck(outcome.parsed, 'AA', outcome.issues).toString(),
        t0,
      );
      if (c === 'duplicate') {
        return { ...(await this.markDuplicate(channel.name, key)), counts: emptyCounts(), issues: [] };
      }
      return {
        messageId: c.id,
        messageKey: key,
        status: 'committed',
        duplicate: false,
        ack: c.ack,
        ackCode: 'AA',
        issues: outcome.issues,
        counts: c.counts,
      };
    } catch (err) {
      const issues = [
        ...outcome.issues,
        hl7Issue('error', 207, { segment: '' }, `commit failed: ${(err as Error).message}`),
      ];
      const ack = buildAck(outcome.parsed, 'AE', issues).toString();
      return this.storeFailed(channel, key, raw, issues, ack, 'AE', replayId);
    }
  }

  /** Stores a message that failed (or updates its dead letter) in one statement; committed ones are duplicates. */
  private async storeFailed(
    channel: ChannelRef,
    key: string,
    raw: string,
    issues: Issue[],
    ack: string,
    ackCode: AckCode,
    replayId?: number,
  ): Promise<PipelineOutcome> {
    const error = JSON.stringify(issues.filter((i) => i.severity === 'error'));
    if (replayId !== undefined) {
      await this.storeRaw(channel.name, key, 'hl7v2', raw, replayId);
      await this.fail(replayId, issues, ack);
      return failed(replayId, key, issues, ack, ackCode);
    }
    const { rows } = await this.kith.db.query(
      `insert into integration_messages (channel, message_key, kind, raw, status, error, ack)
       values ($1, $2, 'hl7v2', $3, 'failed', $4::jsonb, $5)
       on conflict (channel, message_key) do update
         set raw = excluded.raw, status = 'failed', attempts = integration_messages.attempts + 1,
             received_at = now(), error = excluded.error, ack = excluded.ack
         where integration_messages.status <> 'committed'
       returning id`,
      [channel.name, key, raw, error, ack],
    );
    if (rows.length === 0) {
      return { ...(await this.markDuplicate(channel.name, key)), counts: emptyCounts(), issues: [] };
    }
    return failed(Number(rows[0].id), key, issues, ack, ackCode);
  }

  /** One file (CSV extract) or HMIS folder: rows with errors are reported, the rest committed. */
  async receiveFile(
    channel: ChannelRef,
    input: {
      raw: string;
      file: string;
      result: () => Promise<MappingResult> | MappingResult;
      /** The input's CSV files by name, so each failed row can be kept as its own dead letter. */
      files?: Record<string, string>;
      /** The raw text of a failed row's dead letter (default: the header and the row). */
      rowRaw?: (row: RowLetter) => string;
    },
    replayId?: number,
  ): Promise<PipelineOutcome> {
    const t0 = performance.now();
    const key = `sha256:${createHash('sha256').update(input.raw).digest('hex')}`;
    const stored = await this.storeRaw(channel.name, key, channel.kind, input.raw, replayId);
    if (stored.duplicate) return { ...stored.dup!, counts: emptyCounts(), issues: [] };
    const id = stored.id;
    let result: MappingResult;
    try {
      result = await input.result();
    } catch (err) {
      const issues: Issue[] = [
        { severity: 'error', message: `${input.file}: ${(err as Error).message}` } as unknown as Issue,
      ];
      await this.fail(id, issues);
      return failed(id, key, issues);
    }
    result = await this.dropDangling(result);
    // A replayed row is mapped as a one-row file (its record on row 2): its issues name the row it
    // has in the original file, as its dead letter did.
    if (stored.rowOrigin) result = { ...result, issues: atOriginalRow(result.issues, stored.rowOrigin) };
    const errors = result.issues.filter((i) => i.severity === 'error');
    // A replayed row that still fails stays one dead letter; so does a file of which nothing maps.
    if ((result.resources.length === 0 || stored.isRow) && errors.length > 0) {
      await this.fail(id, result.issues);
      return failed(id, key, result.issues);
    }
    // Every other failed row is kept as its own dead letter (fixable and replayable alone) in the
    // transaction that commits the rest of the file.
    const split = splitFailedRows(errors, (f) => input.files?.[f]);
    const rowLetters = split.rows.map((r) => ({
      key: `${key}#${r.suffix}`,
      raw: input.rowRaw ? input.rowRaw(r) : r.text,
      issues: r.issues,
    }));
    try {
      const c = await this.commit(
        channel,
        id,
        result,
        input.raw,
        async () => undefined,
        t0,
        errors,
        rowLetters,
      );
      if (c === 'duplicate') return this.duplicateOf(id, key);
      c.counts.failed = split.rows.length + split.rest.length;
      return {
        messageId: id,
        messageKey: key,
        status: 'committed',
        duplicate: false,
        issues: result.issues,
        counts: c.counts,
      };
    } catch (err) {
      const issues: Issue[] = [
        ...result.issues,
        { severity: 'error', message: `commit failed: ${(err as Error).message}` } as unknown as Issue,
      ];
      await this.fail(id, issues);
      return failed(id, key, issues);
    }
  }

  /** Maps file bytes with the channel's mapper. HMIS takes a folder path instead (see receiveHmisFolder). */
  async receiveCsv(
    channel: ChannelRef,
    bytes: string,
    file: string,
    replayId?: number,
  ): Promise<PipelineOutcome> {
    const opts = { source: channel.source, file };
    const mapper =
      channel.kind === 'eligibility'
        ? mapEligibilityExtract
        : channel.kind === 'wic'
          ? mapWicExtract
          : channel.kind === 'jail'
            ? mapJailExtract
            : undefined;
    if (!mapper) throw new Error(`channel ${channel.name} (${channel.kind}) does not take CSV`);
    return this.receiveFile(
      channel,
      { raw: bytes, file, result: () => mapper(bytes, opts), files: { [file]: bytes } },
      replayId,
    );
  }

  /** An HMIS CSV export folder or zip; the stored raw text is the files as a JSON object (name → text). */
  async receiveHmisFolder(channel: ChannelRef, dirOrZip: string): Promise<PipelineOutcome> {
    const files = await readHmisExport(dirOrZip);
    return this.receiveHmisFiles(channel, filesToText(files));
  }

  async receiveHmisFiles(
    channel: ChannelRef,
    files: Record<string, string>,
    replayId?: number,
  ): Promise<PipelineOutcome> {
    const names = Object.keys(files).sort();
    const raw = JSON.stringify(Object.fromEntries(names.map((n) => [n, files[n]])));
    const bytes = Object.fromEntries(names.map((n) => [n, Buffer.from(files[n])]));
    return this.receiveFile(
      channel,
      {
        raw,
        file: 'HMIS export',
        result: () => mapHmisExport(bytes, { source: channel.source }),
        files,
        // A row is replayed with the export's Export.csv, which every HMIS mapping needs.
        rowRaw: (r) =>
          JSON.stringify(
            r.file === 'Export.csv'
              ? { [r.file]: r.text }
              : { 'Export.csv': files['Export.csv'], [r.file]: r.text },
          ),
      },
      replayId,
    );
  }

  /** A FHIR Bundle pushed by a source: committed as a transaction with a Provenance. */
  async receiveFhirBundle(channel: ChannelRef, bundle: Bundle, replayId?: number): Promise<PipelineOutcome> {
    const raw = JSON.stringify(bundle);
    const entries = bundle.entry ?? [];
    const result: MappingResult = {
      merges: [],
      issues: [],
      resources: entries
        .filter((e) => e.resource)
        .map((e) => ({
          key: e.fullUrl ?? '',
          resourceType: e.resource!.resourceType,
          action: 'upsert',
          identifier: {},
          conditionalUrl: e.request?.url ?? e.resource!.resourceType,
          fullUrl: e.fullUrl ?? '',
          resource: e.resource as Resource,
          dependsOn: [],
          origin: [],
          method: e.request?.method,
        })) as MappingResult['resources'],
    };
    return this.receiveFile(channel, { raw, file: 'bundle', result: () => result }, replayId);
  }

  /**
   * An input that could not be read at all (a file the HMIS inbox does not take, a broken zip): kept
   * as a dead letter with the reason, so it is listed rather than dropped. Its raw text is empty;
   * a replay with corrected content goes through the channel's mapper.
   */
  async rejectInput(channel: ChannelRef, name: string, problem: string): Promise<PipelineOutcome> {
    const key = `rejected:${name}:${Date.now()}`;
    const issues: Issue[] = [rowIssue('error', name, undefined, undefined, problem.replace(`${name}: `, ''))];
    const raw = channel.kind === 'hmis' || channel.kind === 'fhir' ? '{}' : '';
    const { rows } = await this.kith.db.query(
      `insert into integration_messages (channel, message_key, kind, raw, status, error)
       values ($1, $2, $3, $4, 'failed', $5::jsonb) returning id`,
      [channel.name, key, channel.kind, raw, JSON.stringify(issues)],
    );
    return failed(Number(rows[0].id), key, issues);
  }

  /**
   * Rows that reference a record neither in this input nor stored (e.g. an HMIS enrollment of a
   * client missing from Client.csv) are left out with an error naming them, so the rest goes on.
   */
  private async dropDangling(result: MappingResult): Promise<MappingResult> {
    const inResult = new Set(result.resources.map((r) => r.conditionalUrl));
    const service = new FhirService(this.kith.store);
    const missing = new Set<string>();
    const checked = new Map<string, boolean>();
    for (const r of result.resources) {
      if (r.action !== 'upsert') continue;
      for (const m of JSON.stringify(r.resource).matchAll(/"reference":"([A-Za-z]+)\?([^"]+)"/g)) {
        const url = `${m[1]}?${m[2]}`;
        if (inResult.has(url)) continue;
        let ok = checked.get(url);
        if (ok === undefined) {
          ok = (await service.conditionalMatches(m[1], m[2], 1).catch(() => [])).length > 0;
          checked.set(url, ok);
        }
        if (!ok) missing.add(r.key);
      }
    }
    if (missing.size === 0) return result;
    // Anything depending on a dropped resource goes too.
    let grew = true;
    while (grew) {
      grew = false;
      for (const r of result.resources) {
        if (!missing.has(r.key) && r.dependsOn.some((k) => missing.has(k))) {
          missing.add(r.key);
          grew = true;
        }
      }
    }
    const issues: Issue[] = [...result.issues];
    for (const r of result.resources.filter((x) => missing.has(x.key))) {
      const o = r.origin[0];
      const problem = `${r.resourceType} references a record that is neither in this input nor stored; not committed`;
      if (o?.kind === 'row') issues.push(rowIssue('error', o.file, o.row, undefined, problem));
      else
        issues.push({
          severity: 'error',
          message: `${o ? o.segment : r.key}: ${problem}`,
        } as unknown as Issue);
    }
    return { ...result, resources: result.resources.filter((r) => !missing.has(r.key)), issues };
  }

  // ---- storage -------------------------------------------------------------------------------

  private async storeRaw(
    channel: string,
    key: string,
    kind: string,
    raw: string,
    replayId?: number,
  ): Promise<{
    id: number;
    duplicate: boolean;
    /** A replayed dead letter of one row of a file. */
    isRow?: boolean;
    /** That row's file and row number in the original file (from its key, `…#<file>:<row>`). */
    rowOrigin?: { file: string; row: number };
    dup?: Omit<PipelineOutcome, 'counts' | 'issues'>;
  }> {
    if (replayId !== undefined) {
      const { rows } = await this.kith.db.query(
        `update integration_messages set raw = $2, status = 'received', attempts = attempts + 1,
           received_at = now() where id = $1 and status <> 'committed' returning id, parent_id, message_key`,
        [replayId, raw],
      );
      if (rows.length === 1) {
        const isRow = rows[0].parent_id !== null;
        const m = isRow ? /#(.+):(\d+)$/.exec(String(rows[0].message_key)) : null;
        return {
          id: Number(rows[0].id),
          duplicate: false,
          isRow,
          ...(m ? { rowOrigin: { file: m[1], row: Number(m[2]) } } : {}),
        };
      }
      throw new Error(`message ${replayId} is not a dead letter`);
    }
    const { rows } = await this.kith.db.query(INSERT_RAW, [channel, key, kind, raw]);
    if (rows.length === 1) return { id: Number(rows[0].id), duplicate: false };
    const dup = await this.markDuplicate(channel, key);
    return { id: dup.messageId, duplicate: true, dup };
  }

  /** A message already committed under this key: counts the copy, returns the stored ACK. */
  async markDuplicate(channel: string, key: string): Promise<Omit<PipelineOutcome, 'counts' | 'issues'>> {
    const { rows } = await this.kith.db.query(
      `update integration_messages set duplicates = duplicates + 1
       where channel = $1 and message_key = $2 returning id, ack, status`,
      [channel, key],
    );
    const r = rows[0];
    return {
      messageId: Number(r.id),
      messageKey: key,
      status: r.status as MessageStatus,
      duplicate: true,
      ack: r.ack ?? undefined,
      ackCode: r.ack ? ackCodeOf(r.ack) : undefined,
    };
  }

  private async duplicateOf(id: number, key: string): Promise<PipelineOutcome> {
    const { rows } = await this.kith.db.query('select channel from integration_messages where id = $1', [id]);
    return { ...(await this.markDuplicate(rows[0].channel, key)), counts: emptyCounts(), issues: [] };
  }

  private async fail(id: number, issues: Issue[], ack?: string): Promise<void> {
    await this.kith.db.query(
      `update integration_messages set status = 'failed', error = $2::jsonb, ack = $3 where id = $1`,
      [id, JSON.stringify(issues.filter((i) => i.severity === 'error')), ack ?? null],
    );
  }

  /** Commits the result, merges, Provenance and the message status in one transaction. */
  private async commit(
    channel: ChannelRef,
    /** The stored message's id (locked first), or the raw message to store in this transaction. */
    message: number | { key: string; kind: string; raw: string },
    result: MappingResult,
    _raw: string,
    ack: () => Promise<string | undefined>,
    t0: number,
    rowErrors: Issue[] = [],
    rowLetters: { key: string; raw: string; issues: Issue[] }[] = [],
  ): Promise<'duplicate' | { id: number; counts: Counts; ack?: string }> {
    const ackText = await ack();
    return this.kith.store.inTransaction(async (tx) => {
      let id: number;
      if (typeof message === 'number') {
        id = message;
        const lock = await tx.queryable.query(
          'select status from integration_messages where id = $1 for update',
          [id],
        );
        if (lock.rows[0]?.status === 'committed') return 'duplicate' as const;
      } else {
        // Storing the raw message here rather than before saves a round trip and a commit of its
        // own; it is still stored before the ACK, and an uncommitted one was never acknowledged.
        const { rows } = await tx.queryable.query(INSERT_RAW, [
          channel.name,
          message.key,
          message.kind,
          message.raw,
        ]);
        if (rows.length === 0) return 'duplicate' as const;
        id = Number(rows[0].id);
      }
      const counts = emptyCounts();
      counts.read = result.resources.length;
      const service = new FhirService(tx);
      const bundle = toTransactionBundle(result) as unknown as Bundle;
      // FHIR pushes keep their own request methods.
      for (const [i, r] of result.resources.entries()) {
        const method = (r as unknown as { method?: string }).method;
        if (method && bundle.entry?.[i])
          bundle.entry[i].request = { method: method as 'PUT', url: r.conditionalUrl };
      }
      const entries = bundle.entry ?? [];
      if (entries.length > 0) {
        const response = await processBundle(service, bundle, { base: '', returnRepresentation: false });
        for (const e of response.entry ?? []) countResponse(counts, e);
        // The Provenance comes after what it names, so its labels derive from them as written.
        const targets = entries
          .map((e, i) => (e.resource && e.fullUrl ? writtenReference(response.entry?.[i]) : undefined))
          .filter((t): t is string => t !== undefined);
        if (targets.length > 0) await tx.createMany([messageProvenance(channel, id, targets)]);
      }
      for (const merge of result.merges) await applyMerge(tx, merge);
      const latency = performance.now() - t0;
      await tx.queryable.query(
        `update integration_messages set status = 'committed', committed_at = now(), ack = $2,
           latency_ms = $3, summary = $4::jsonb, error = $5::jsonb where id = $1`,
        [
          id,
          ackText ?? null,
          latency,
          JSON.stringify(counts),
          rowErrors.length ? JSON.stringify(rowErrors) : null,
        ],
      );
      if (rowLetters.length > 0) {
        await tx.queryable.query(
          `insert into integration_messages (channel, message_key, kind, raw, status, error, parent_id)
           select $1, k, $2, r, 'failed', e::jsonb, $3
           from unnest($4::text[], $5::text[], $6::text[]) as t(k, r, e)
           on conflict (channel, message_key) do nothing`,
          [
            channel.name,
            channel.kind,
            id,
            rowLetters.map((l) => l.key),
            rowLetters.map((l) => l.raw),
            rowLetters.map((l) => JSON.stringify(l.issues)),
          ],
        );
      }
      return { id, counts, ack: ackText };
    });
  }

  // ---- dead letters and metrics ---------------------------------------------------------------

  /** Failed messages and rows, oldest first, a page at a time (`after`: the last id seen). */
  async deadLetters(
    opts: { channel?: string; limit?: number; after?: number; raw?: boolean } = {},
  ): Promise<DeadLetterPage> {
    const limit = opts.limit ?? 100;
    const { rows } = await this.kith.db.query(
      `select id, channel, message_key, kind, received_at, attempts, error, parent_id ${opts.raw ? ', raw' : ''}
       from integration_messages where status = 'failed' and ($1::text is null or channel = $1) and id > $3
       order by id limit $2`,
      [opts.channel ?? null, limit + 1, opts.after ?? 0],
    );
    const total = await this.kith.db.query(
      `select count(*)::int as n from integration_messages
       where status = 'failed' and ($1::text is null or channel = $1)`,
      [opts.channel ?? null],
    );
    const page = rows.slice(0, limit).map((r) => ({
      id: Number(r.id),
      channel: r.channel,
      messageKey: r.message_key,
      kind: r.kind,
      receivedAt: r.received_at,
      attempts: r.attempts,
      error: typeof r.error === 'string' ? JSON.parse(r.error) : r.error,
      parentId: r.parent_id === null ? null : Number(r.parent_id),
      ...(opts.raw ? { raw: r.raw } : {}),
    }));
    return {
      deadLetters: page,
      total: total.rows[0].n,
      next: rows.length > limit ? page[page.length - 1].id : null,
    };
  }

  /** Re-runs a dead letter through the pipeline, optionally with corrected raw text. */
  async replay(
    id: number,
    channels: (name: string) => ChannelRef | undefined,
    raw?: string,
  ): Promise<PipelineOutcome> {
    const { rows } = await this.kith.db.query(
      'select channel, kind, raw, status, message_key from integration_messages where id = $1',
      [id],
    );
    if (rows.length === 0) throw new Error(`no message ${id}`);
    const row = rows[0];
    if (row.status === 'committed') throw new Error(`message ${id} is already committed`);
    const channel = channels(row.channel) ?? { name: row.channel, kind: row.kind as ChannelKind };
    const text: string = raw ?? row.raw;
    switch (channel.kind) {
      case 'hl7v2':
        return this.receiveHl7(channel, text, id);
      case 'hmis':
        return this.receiveHmisFiles(channel, JSON.parse(text) as Record<string, string>, id);
      case 'fhir':
        return this.receiveFhirBundle(channel, JSON.parse(text) as Bundle, id);
      default:
        return this.receiveCsv(channel, text, rowFileName(row.message_key) ?? `message-${id}.csv`, id);
    }
  }

  async metrics(windowSize = 1000): Promise<ChannelMetrics[]> {
    const { rows } = await this.kith.db.query(
      `select channel, count(*) filter (where parent_id is null)::int as received,
         count(*) filter (where status = 'committed' and parent_id is null)::int as committed,
         count(*) filter (where status = 'failed')::int as failed,
         coalesce(sum(duplicates), 0)::int as duplicate,
         max(received_at) as last_received
       from integration_messages group by channel order by channel`,
    );
    const out: ChannelMetrics[] = [];
    for (const r of rows) {
      const lat = await this.kith.db.query(
        `select latency_ms from integration_messages where channel = $1 and latency_ms is not null
         order by id desc limit $2`,
        [r.channel, windowSize],
      );
      const values = lat.rows.map((x) => Number(x.latency_ms)).sort((a, b) => a - b);
      out.push({
        channel: r.channel,
        received: r.received,
        committed: r.committed,
        failed: r.failed,
        duplicate: r.duplicate,
        lastReceived: r.last_received,
        latencyMs: { p50: percentile(values, 0.5), p99: percentile(values, 0.99), window: values.length },
      });
    }
    return out;
  }
}

export interface ChannelMetrics {
  channel: string;
  received: number;
  committed: number;
  failed: number;
  duplicate: number;
  lastReceived: string | null;
  latencyMs: { p50: number | null; p99: number | null; window: number };
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, i)] * 100) / 100;
}

/** Parse, validate and map one HL7 message; its key is `source|MSH-10`, or its hash without MSH-10. */
export function prepareHl7(channel: ChannelRef, raw: string): { outcome: Hl7Outcome; key: string } {
  const outcome = processHl7(raw, { ...channel.hl7, source: channel.source ?? channel.hl7?.source });
  const key = outcome.parsed.header?.controlId
    ? outcome.messageKey
    : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  return { outcome, key };
}

function failed(id: number, key: string, issues: Issue[], ack?: string, ackCode?: AckCode): PipelineOutcome {
  return {
    messageId: id,
    messageKey: key,
    status: 'failed',
    duplicate: false,
    ack,
    ackCode,
    issues,
    counts: { ...emptyCounts(), failed: 1 },
  };
}

/**
 * Issues of a replayed row (header on row 1, the record from row 2) renumbered to the rows of the
 * original file, where the record started at `origin.row`; other files' issues stay as they are.
 */
function atOriginalRow(issues: Issue[], origin: { file: string; row: number }): Issue[] {
  return issues.map((i) =>
    i.kind === 'row' && i.file === origin.file && i.row !== undefined && i.row >= 2
      ? rowIssue(i.severity, i.file, origin.row + i.row - 2, i.column, i.problem, i.value)
      : i,
  );
}

/** The file a row dead letter came from (its key ends in `#<file>:<row>`). */
function rowFileName(key: string): string | undefined {
  const m = /#(.+):\d+$/.exec(key);
  return m?.[1];
}

function ackCodeOf(ack: string): AckCode | undefined {
  const msa = ack.split(/\r|\n/).find((s) => s.startsWith('MSA'));
  const code = msa?.split('|')[1];
  return code === 'AA' || code === 'AE' || code === 'AR' ? code : undefined;
}

function filesToText(files: Record<string, Uint8Array | string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(files)) {
    if (v !== undefined) out[k] = typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
  }
  return out;
}

/** ADT^A40 the FHIR way until identity exposes a merge: retired → inactive, replaced-by the survivor. */
async function applyMerge(tx: FhirStore, merge: MergeInstruction): Promise<void> {
  const service = new FhirService(tx);
  const find = async (ident: { system?: string; value?: string }): Promise<Patient | undefined> => {
    if (!ident.value) return undefined;
    const crit = `identifier=${encodeURIComponent(`${ident.system ? `${ident.system}|` : ''}${ident.value}`)}`;
    const m = await service.conditionalMatches('Patient', crit, 1);
    return m[0] ? (JSON.parse(m[0].json) as Patient) : undefined;
  };
  const found = await find(merge.survivor);
  let survivor: Patient;
  if (found) survivor = found;
  else {
    const created = await service.create('Patient', {
      resourceType: 'Patient',
      identifier: [merge.survivor],
    });
    survivor = JSON.parse(created.version!.json) as Patient;
  }
  for (const r of merge.retired) {
    const retired = await find(r);
    if (!retired || retired.id === survivor.id) continue;
    const rLinks = (retired.link ?? []).filter((l) => l.other?.reference !== `Patient/${survivor.id}`);
    await service.update('Patient', retired.id!, {
      ...retired,
      active: false,
      link: [...rLinks, { other: { reference: `Patient/${survivor.id}` }, type: 'replaced-by' }],
    });
    const sLinks = survivor.link ?? [];
    if (!sLinks.some((l) => l.other?.reference === `Patient/${retired.id}`)) {
      const next: Patient = {
        ...survivor,
        link: [...sLinks, { other: { reference: `Patient/${retired.id}` }, type: 'replaces' as const }],
      };
      const out = await service.update('Patient', survivor.id!, next);
      survivor = out.version ? (JSON.parse(out.version.json) as Patient) : next;
    }
  }
}
