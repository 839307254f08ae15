import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Resource } from '@medplum/fhirtypes';
import type { Database } from './db/database';
import { FhirError } from '../fhir/errors';
import { SYSTEM_CALLER, type Caller } from '../privacy/caller';
import type { AccessControl, AccessEvent, ReadKind, RowAccess } from './access';
import { readHistory, type HistoryEntry, type HistoryQuery } from './history';
import { extractIndexRows } from './index-rows';
import type { VisibilityFilter } from './search/execute';
import type { CreateBatcher } from './create-batcher';
import type { UpdateBatcher } from './update-batcher';
import type { Settled } from './write-batcher';
import { TxConnection } from './riders';
import { createManySql, readValue, updateManySql, writeVersionSql } from './write-sql';

export interface Queryable {
  query<R extends pg.QueryResultRow = any>(
    sql: string | pg.QueryConfig,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

const readStatementNames = new Map<string, string>();
/** One statement name per distinct read text (a name must never be prepared with two texts). */
function readStatementName(companion: string | undefined): string {
  const key = companion ?? '';
  let name = readStatementNames.get(key);
  if (!name) readStatementNames.set(key, (name = `kith-read-${readStatementNames.size}`));
  return name;
}

/** One stored version, with its JSON kept as text so reads forward it without re-encoding. */
export interface StoredVersion {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  json: string;
  /** The row's patient compartment, when read with it (audit: whose data was seen). */
  compartment?: string[];
}

export interface WriteResult {
  resource: Resource;
  version: StoredVersion;
  created: boolean;
  /** True when an update carried exactly the stored content, so no version was written. */
  unchanged?: boolean;
  /**
   * What each write companion (`addWriteCompanion`) and read rider (src/store/riders.ts) read in the
   * write's own statement, by name (a bulk create reads the companions once per type); a hook still
   * queries when its name is absent (a write path that carried no read).
   */
  companions?: Record<string, unknown>;
}

/**
 * A read that rides along in the statement that writes a version, so a hook that needs it on every
 * write costs no round trip: a scalar SQL expression over `$1` (the written resource's type).
 */
export interface WriteCompanion {
  name: string;
  sql: string;
}

/**
 * Runs inside the write's transaction, so what a hook writes commits or rolls back with it. A hook
 * must write through the `store` it is given (bound to that transaction), never a top-level store.
 */
export type AfterWriteHook = (
  store: FhirStore,
  result: WriteResult,
  previous: Resource | undefined,
) => Promise<void>;

/** Runs before a version is stored and returns the resource to store (may add labels); may throw. */
export type BeforeWriteHook = (
  store: FhirStore,
  resource: Resource,
  previous: Resource | undefined,
) => Promise<Resource>;

/** Runs after a soft delete, inside its transaction, with the resource as it was (for indexes kept outside fhir_resources). */
export type AfterDeleteHook = (store: FhirStore, previous: Resource) => Promise<void>;

export interface WriteHooks {
  before: BeforeWriteHook[];
  after: AfterWriteHook[];
  afterDelete?: AfterDeleteHook[];
  /** The access layer (labels, columns, policy), installed by src/privacy/enforce. */
  access?: AccessControl;
  companions?: WriteCompanion[];
  /** Run once before a set of creates is written together (`createMany`), in its transaction. */
  beforeMany?: ((store: FhirStore, resources: Resource[]) => Promise<void>)[];
  /** Run once after such a set is written, before each one's after-write hooks. */
  afterMany?: ((store: FhirStore, results: WriteResult[]) => Promise<void>)[];
  /** Run once after a set of updates is written together (`updateMany`), before each one's after-write hooks. */
  afterUpdateMany?: ((store: FhirStore, results: WriteResult[]) => Promise<void>)[];
  /** Writes concurrent creates together (see CreateBatcher); absent: each create alone. */
  batcher?: CreateBatcher;
  /** Writes concurrent updates together (see UpdateBatcher); absent: each update alone. */
  updateBatcher?: UpdateBatcher;
}

/** Who asks when a store is bound to no one: denied everything (fail closed). */
export const ANONYMOUS_CALLER: Caller = {
  kind: 'anonymous',
  subject: 'anonymous',
  accessLevel: 'view-only',
  roles: [],
  purposeOfUse: 'TREAT',
  scopes: [],
};

export interface WriteOptions {
  /** Version the client last saw (If-Match); a different current version fails with 412. */
  ifMatch?: number;
  /**
   * The current version as the caller already read it with `for update` in this same transaction
   * (null: there is none), so update need not lock and read it again. See `toStoredVersion`.
   */
  current?: StoredVersion | null;
}

const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;

export function isValidId(id: string): boolean {
  return ID_RE.test(id);
}

/**
 * The resource store. Every write keeps the version history and the search indexes in one
 * transaction. A store bound to a transaction (`inTransaction`) runs all its calls on that one
 * connection, so a transaction Bundle is all or nothing.
 *
 * A store bound to a caller with `withCaller` is **guarded**: the access policy decides every read,
 * search, history and write, and each is audited. The store openKith makes is bound to no caller
 * and acts as the system (`SYSTEM_CALLER`): migrations, imports, pipelines, demo load. Write hooks
 * always get an unguarded store for the same caller and transaction: they are internal code.
 */
export class FhirStore {
  private readonly hooks: WriteHooks;

  constructor(
    readonly db: Database,
    private readonly conn: Queryable | null = null,
    hooks: WriteHooks = { before: [], after: [] },
    /** Who is writing; hooks read it (referral status rules, audit). Undefined: the system. */
    readonly caller?: Caller,
    /** True when the access policy applies to this store's calls (see `withCaller`). */
    readonly guarded = false,
  ) {
    this.hooks = hooks;
  }

  /**
   * The same store (and transaction, if any) acting for a caller, under the access policy. No
   * caller (undefined) is the anonymous caller: every read is "not found", every write forbidden.
   */
  withCaller(caller: Caller | undefined): FhirStore {
    return new FhirStore(this.db, this.conn, this.hooks, caller ?? ANONYMOUS_CALLER, true);
  }

  /**
   * The same store acting for a caller without the policy: for internal code that has its own
   * check and only needs the caller recorded (write hooks, a referral link acting for its owner).
   */
  actingAs(caller: Caller | undefined): FhirStore {
    return new FhirStore(this.db, this.conn, this.hooks, caller, false);
  }

  /** This store's caller and transaction without the policy (what write hooks get). */
  unguarded(): FhirStore {
    return this.guarded ? new FhirStore(this.db, this.conn, this.hooks, this.caller, false) : this;
  }

  /** The caller the policy sees: the bound caller, or the system for an unbound store. */
  get actor(): Caller {
    return this.caller ?? SYSTEM_CALLER;
  }

  get access(): AccessControl | undefined {
    return this.hooks.access;
  }

  /** Installs the access layer (labels and columns on every write; the policy on guarded stores). */
  setAccessControl(access: AccessControl): void {
    this.hooks.access = access;
  }

  /** The filter searches apply for this store's caller; undefined for an unguarded store. */
  visibility(options: { resourceType?: string; paramCodes?: string[] } = {}): VisibilityFilter | undefined {
    if (!this.guarded) return undefined;
    if (!this.hooks.access) return () => 'false';
    return this.hooks.access.visibility(this, options);
  }

  /** Hits (search matches, includes, history entries) as a guarded caller may receive them. */
  async redactHits<T extends { resourceType: string; id: string; json: string }>(hits: T[]): Promise<T[]> {
    if (!this.guarded || !this.hooks.access || !hits.length) return hits;
    return this.hooks.access.redactHits(this, hits);
  }

  /** Records an access by this store's caller (guarded stores only; the system is not audited here). */
  async audit(event: AccessEvent): Promise<void> {
    if (this.guarded && this.hooks.access) await this.hooks.access.audit(this, event);
  }

  /** Versions, newest first, that this store's caller may see (see readHistory). */
  async history(q: HistoryQuery): Promise<{ entries: HistoryEntry[]; total: number }> {
    if (!this.guarded) return readHistory(this.queryable, q);
    if (!this.hooks.access) return { entries: [], total: 0 };
    const visible = this.hooks.access.visibility(this, {});
    const result = await readHistory(this.queryable, q, visible);
    result.entries = await this.redactHits(result.entries);
    await this.audit({
      action: 'history',
      resources: result.entries.map((e) => `${e.resourceType}/${e.id}/_history/${e.versionId}`),
      patients: [...new Set(result.entries.flatMap((e) => e.compartment ?? []))],
    });
    return result;
  }

  get queryable(): Queryable {
    return this.conn ?? this.db.pool;
  }

  get inTx(): boolean {
    return this.conn !== null;
  }

  /** Adds a hook that runs after every write, inside its transaction. */
  addAfterWriteHook(hook: AfterWriteHook): void {
    this.hooks.after.push(hook);
  }

  /** Adds a hook that runs after every delete, inside its transaction. */
  addAfterDeleteHook(hook: AfterDeleteHook): void {
    (this.hooks.afterDelete ??= []).push(hook);
  }

  /**
   * Adds a hook run once before a transaction Bundle's creates (`createMany`), with all of them: for
   * work better done for the set at once (identity resolution takes all its locks in one order).
   */
  addBeforeManyHook(hook: (store: FhirStore, resources: Resource[]) => Promise<void>): void {
    (this.hooks.beforeMany ??= []).push(hook);
  }

  /**
   * Adds a hook run once after a transaction Bundle's creates are written (`createMany`), with all
   * of them, before their after-write hooks: for work done for the set at once in fewer round trips.
   */
  addAfterManyHook(hook: (store: FhirStore, results: WriteResult[]) => Promise<void>): void {
    (this.hooks.afterMany ??= []).push(hook);
  }

  /**
   * Adds a hook run once after a set of updates is written together (`updateMany`), with the new
   * versions written (not the unchanged ones), before their after-write hooks: for work done for the
   * set at once in fewer round trips.
   */
  addAfterUpdateManyHook(hook: (store: FhirStore, results: WriteResult[]) => Promise<void>): void {
    (this.hooks.afterUpdateMany ??= []).push(hook);
  }

  /** Adds a read to every version write's statement; after-write hooks find it in `result.companions`. */
  addWriteCompanion(companion: WriteCompanion): void {
    (this.hooks.companions ??= []).push(companion);
  }

  /** Adds a hook that may change a resource before it is stored (labels), inside the transaction. */
  addBeforeWriteHook(hook: BeforeWriteHook): void {
    this.hooks.before.push(hook);
  }

  async inTransaction<T>(fn: (tx: FhirStore) => Promise<T>): Promise<T> {
    if (this.conn) return fn(this);
    return this.db.writeTransaction(async (client) => {
      const conn = new TxConnection(client);
      const out = await fn(new FhirStore(this.db, conn, this.hooks, this.caller, this.guarded));
      await conn.flush();
      return out;
    });
  }

  async read(resourceType: string, id: string): Promise<StoredVersion> {
    const companion = this.guarded ? this.hooks.access?.readCompanionSql?.(this) : undefined;
    // Named, so PostgreSQL parses and plans it once per connection: for a read by id the parse and
    // plan cost more than the lookup.
    const { rows } = await this.queryable.query({
      name: readStatementName(companion),
      text: `select version_id, last_updated, deleted, content::text as json, security, compartment, custodian, category
       ${companion ? `, ${companion} as prefetched` : ''}
       from fhir_resources where resource_type = $1 and id = $2`,
      values: [resourceType, id],
    });
    if (rows.length === 0) throw new FhirError('not_found', `${resourceType}/${id} is not known`);
    let v = toStoredVersion(resourceType, id, rows[0]);
    if (this.guarded) {
      // Decided before "deleted" is said: a hidden resource is not known, gone or not.
      const allowed = await this.authorizeRead(v, [rowAccess(rows[0])], 'read');
      if (!allowed) throw new FhirError('not_found', `${resourceType}/${id} is not known`);
      v = allowed;
    }
    if (v.deleted) throw new FhirError('gone', `${resourceType}/${id} was deleted`);
    return v;
  }

  private async authorizeRead(
    v: StoredVersion,
    rows: RowAccess[],
    kind: ReadKind,
  ): Promise<StoredVersion | undefined> {
    if (!this.hooks.access) return undefined;
    return this.hooks.access.authorizeRead(this, v, rows, kind);
  }

  /** Like read, but undefined when absent or deleted. */
  async readIfExists(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    try {
      return await this.read(resourceType, id);
    } catch (err) {
      if (err instanceof FhirError && (err.code === 'not_found' || err.code === 'gone')) return undefined;
      throw err;
    }
  }

  /**
   * The version of `resourceType/id` this transaction wrote last (a deletion included), or undefined
   * when it wrote none or this store is in no transaction: what a read would now find, without the
   * round trip. For internal code that reads what the same transaction just wrote (a Provenance's
   * labels come from its targets'); no access check applies.
   */
  writtenInTransaction(resourceType: string, id: string): StoredVersion | undefined {
    return this.conn instanceof TxConnection ? this.conn.written.get(`${resourceType}/${id}`) : undefined;
  }

  async readResource<T extends Resource = Resource>(resourceType: string, id: string): Promise<T> {
    return JSON.parse((await this.read(resourceType, id)).json) as T;
  }

  async vread(resourceType: string, id: string, versionId: string): Promise<StoredVersion> {
    if (!/^\d{1,15}$/.test(versionId))
      throw new FhirError('not_found', `Version ${versionId} is not a version id`);
    const { rows } = await this.queryable.query(
      `select h.version_id, h.last_updated, h.deleted, h.content::text as json, h.security, h.compartment,
         h.custodian, h.category, c.security as c_security, c.compartment as c_compartment,
         c.custodian as c_custodian, c.category as c_category
       from fhir_history h left join fhir_resources c on c.resource_type = h.resource_type and c.id = h.id
       where h.resource_type = $1 and h.id = $2 and h.version_id = $3`,
      [resourceType, id, Number(versionId)],
    );
    if (rows.length === 0)
      throw new FhirError('not_found', `${resourceType}/${id}/_history/${versionId} is not known`);
    let v = toStoredVersion(resourceType, id, rows[0]);
    if (this.guarded) {
      // The version's labels and the current ones: a label added later also hides older versions.
      const current = {
        security: rows[0].c_security,
        compartment: rows[0].c_compartment,
        custodian: rows[0].c_custodian,
        category: rows[0].c_category ?? null,
      };
      const allowed = await this.authorizeRead(v, [rowAccess(rows[0]), current], 'vread');
      if (!allowed)
        throw new FhirError('not_found', `${resourceType}/${id}/_history/${versionId} is not known`);
      v = allowed;
    }
    if (v.deleted) throw new FhirError('gone', `${resourceType}/${id} version ${versionId} is a deletion`);
    return v;
  }

  /** Writes concurrent creates outside a transaction together from now on (see CreateBatcher). */
  setCreateBatcher(batcher: CreateBatcher | undefined): void {
    this.hooks.batcher = batcher;
  }

  /**
   * Creates with a server-assigned id (or the given one, used by create-on-update). Outside a
   * transaction, a create may be written together with concurrent creates of the same caller.
   */
  async create<T extends Resource>(resource: T, id: string = randomUUID()): Promise<WriteResult> {
    const batcher = this.hooks.batcher;
    if (batcher && !this.conn) {
      const key = `${this.guarded ? 'g' : 'u'}:${JSON.stringify(this.caller ?? null)}`;
      return batcher.submit(key, this, { ...resource, id }, () => this.createAlone(resource, id));
    }
    return this.createAlone(resource, id);
  }

  private async createAlone(resource: Resource, id: string): Promise<WriteResult> {
    return this.inTransaction(async (tx) => {
      const prepared = await tx.runBeforeHooks({ ...resource, id }, undefined);
      await tx.authorizeWrite('create', prepared, undefined);
      const result = await tx.writeVersion(prepared, 1, false, true);
      await tx.runHooks(result, undefined);
      return result;
    });
  }

  /**
   * A create that, inside a transaction, waits to be written with the transaction's next
   * `createMany` (one statement for both) or, failing that, just before its next other statement or
   * its commit: a round trip fewer when a hook's create (the identity module's new Person) is
   * followed by more creates. Before-write hooks and the access check run now; after-write hooks
   * when it is written. The result returned is the version it will be. Outside a transaction, a
   * plain create.
   */
  async createLater(resource: Resource, id: string = randomUUID()): Promise<WriteResult> {
    const conn = this.conn instanceof TxConnection ? this.conn : undefined;
    if (!conn) return this.create(resource, id);
    const prepared = await this.runBeforeHooks({ ...resource, id }, undefined);
    await this.authorizeWrite('create', prepared, undefined);
    // All waiting creates are written with one lastUpdated (the first one's), as they are returned.
    const lastUpdated = conn.pendingCreates[0]?.lastUpdated ?? new Date().toISOString();
    conn.pendingCreates.push({ resource: prepared, lastUpdated });
    conn.writePending = async () => {
      const pending = conn.takePendingCreates();
      const results = await this.writeSet(
        pending.map((p) => ({ resource: p.resource, versionId: 1 })),
        false,
        lastUpdated,
      );
      for (const result of results) await this.runHooks(result, undefined);
    };
    const stored = { ...prepared, meta: { ...prepared.meta, versionId: '1', lastUpdated } } as Resource;
    return {
      resource: stored,
      created: true,
      version: {
        resourceType: stored.resourceType,
        id,
        versionId: 1,
        lastUpdated,
        deleted: false,
        json: JSON.stringify(stored),
      },
    };
  }

  /**
   * Creates several new resources (ids fixed by the caller) in one statement: the fast path for a
   * transaction Bundle's creates. Hooks still run for each, in order, in the same transaction. The
   * transaction's waiting creates (see createLater) go in the same statement, first, and their
   * hooks run first.
   */
  async createMany(resources: Resource[]): Promise<WriteResult[]> {
    if (resources.length === 0) return [];
    return this.inTransaction(async (tx) => {
      for (const hook of tx.hooks.beforeMany ?? []) await hook(tx.unguarded(), resources);
      const prepared: Resource[] = [];
      for (const r of resources) {
        const p = await tx.runBeforeHooks(r, undefined);
        await tx.authorizeWrite('create', p, undefined);
        prepared.push(p);
      }
      const conn = tx.conn instanceof TxConnection ? tx.conn : undefined;
      const pending = conn?.takePendingCreates() ?? [];
      const written = await tx.writeSet(
        [...pending, ...prepared.map((resource) => ({ resource }))].map((w) => ({
          resource: w.resource,
          versionId: 1,
        })),
        false,
        pending[0]?.lastUpdated,
      );
      for (const result of written.slice(0, pending.length)) await tx.runHooks(result, undefined);
      const results = written.slice(pending.length);
      for (const hook of tx.hooks.afterMany ?? []) await hook(tx.unguarded(), results);
      for (const result of results) await tx.runHooks(result, undefined);
      return results;
    });
  }

  /**
   * New versions of several resources (each at most once) in one transaction: their current rows
   * locked in one statement, in key order (two such sets never wait on each other in a cycle), and
   * written in one statement; hooks still run for each, in order. Each gets its own outcome: a stale
   * `ifMatch` fails that update alone (the others are written); any other failure throws, for all.
   */
  async updateMany(items: { resource: Resource; ifMatch?: number }[]): Promise<Settled[]> {
    if (items.length === 0) return [];
    const keys = items.map((i) => `${i.resource.resourceType}/${i.resource.id}`);
    if (new Set(keys).size !== keys.length) throw new Error('updateMany writes each resource once');
    for (const { resource } of items)
      if (!resource.id || !isValidId(resource.id))
        throw new FhirError('invalid_resource', 'Resource.id is missing or invalid', 'Resource.id');
    return this.inTransaction(async (tx) => {
      const currents = await tx.lockCurrents(items.map((i) => i.resource));
      const out: Settled[] = [];
      const writes: { k: number; resource: Resource; versionId: number; previous?: Resource }[] = [];
      for (const [k, { resource, ifMatch }] of items.entries()) {
        const checked = await tx.checkUpdate(resource, currents.get(keys[k]), ifMatch);
        if ('error' in checked || 'version' in checked) out[k] = checked;
        else writes.push({ k, ...checked });
      }
      const results = await tx.writeSet(writes, true);
      writes.forEach((w, j) => {
        results[j].created = !w.previous;
        out[w.k] = results[j];
      });
      // The identity module's Person rewrites wait, and are written together after every hook ran:
      // one statement instead of one per Patient.
      const conn = tx.conn instanceof TxConnection ? tx.conn : undefined;
      if (conn) conn.deferring = true;
      try {
        for (const hook of tx.hooks.afterUpdateMany ?? []) await hook(tx.unguarded(), results);
        for (const [j, w] of writes.entries()) await tx.runHooks(results[j], w.previous);
      } finally {
        if (conn) conn.deferring = false;
      }
      await tx.writeDeferred();
      return out;
    });
  }

  /** Writes the deferred updates (see TxConnection.deferring) in one statement, then runs their hooks. */
  private async writeDeferred(): Promise<void> {
    const conn = this.conn instanceof TxConnection ? this.conn : undefined;
    while (conn && conn.deferred.size > 0) {
      const items = [...conn.deferred.values()];
      conn.deferred.clear();
      const results = await this.writeSet(items, true, items[0].lastUpdated);
      items.forEach((w, j) => (results[j].created = !w.previous));
      for (const [j, w] of items.entries()) await this.runHooks(results[j], w.previous);
    }
  }

  /**
   * Writes new versions of resources (each at most once) in one statement, with each one's read
   * riders and the write companions once per type; marks them written in this transaction.
   */
  private async writeSet(
    items: { resource: Resource; versionId: number; previous?: Resource }[],
    update: boolean,
    lastUpdated: string = new Date().toISOString(),
  ): Promise<WriteResult[]> {
    if (items.length === 0) return [];
    const conn = this.conn instanceof TxConnection ? this.conn : undefined;
    // Waiting creates go first (this statement does not read, but carries the riders queued after them).
    await conn?.writePendingCreates();
    const stored = items.map(
      ({ resource: r, versionId }) =>
        ({ ...r, meta: { ...r.meta, versionId: String(versionId), lastUpdated } }) as Resource,
    );
    const docs = stored.map((r, k) => ({
      t: r.resourceType,
      i: r.id as string,
      ...(update ? { v: items[k].versionId } : {}),
      c: r,
      ...columnsJson(this.hooks.access?.columns(r)),
    }));
    const taken = stored.map((r) => conn?.take(r.resourceType, r.id as string));
    // The write companions (scalar reads over $1, the type) once per type, after the resources'
    // own read riders: a companion read per resource would cost a round trip each in its hook.
    const types = [...new Set(stored.map((r) => r.resourceType))];
    const typeReads = types.map((type) =>
      (this.hooks.companions ?? []).map((c) => ({ name: c.name, sql: c.sql, values: [type] })),
    );
    const riders = {
      writes: taken.flatMap((t) => t?.writes ?? []),
      reads: [...taken.map((t) => t?.reads ?? []), ...typeReads],
    };
    // An update's old index rows are those of the version it replaces (stored content, so the
    // rows its own write extracted), and only the rows that differ are written (see indexChanges).
    const indexed = stored.map((r, k) => {
      const previous = update ? items[k].previous : undefined;
      return {
        type: r.resourceType,
        id: r.id as string,
        rows: extractIndexRows(r),
        ...(previous ? { old: extractIndexRows(previous) } : {}),
      };
    });
    const { sql, params, readAt } = update ? updateManySql(indexed, riders) : createManySql(indexed, riders);
    let out: any[];
    try {
      const config = {
        name: statementName(sql),
        text: sql,
        values: [JSON.stringify(docs), lastUpdated, ...params],
      };
      out = (conn ? await conn.queryCarrying(config) : await this.queryable.query(config)).rows;
    } catch (err: any) {
      if (err?.code === '23505')
        throw new FhirError('conflict', `A resource with one of these ids already exists`);
      throw err;
    }
    // Where each resource's read riders are in the result (see createManySql).
    const read = riders.reads.map((reads, k) =>
      Object.fromEntries(reads.map((r, i) => [r.name, readValue(out[0], readAt[k][i])])),
    );
    const ofType = new Map(types.map((type, i) => [type, read[stored.length + i]]));
    const results: WriteResult[] = stored.map((resource, k) => ({
      companions: { ...ofType.get(resource.resourceType), ...read[k] },
      resource,
      created: items[k].versionId === 1,
      version: {
        resourceType: resource.resourceType,
        id: resource.id as string,
        versionId: items[k].versionId,
        lastUpdated,
        deleted: false,
        json: JSON.stringify(resource),
      },
    }));
    for (const r of results) conn?.written.set(`${r.version.resourceType}/${r.version.id}`, r.version);
    return results;
  }

  /** Writes concurrent updates outside a transaction together from now on (see UpdateBatcher). */
  setUpdateBatcher(batcher: UpdateBatcher | undefined): void {
    this.hooks.updateBatcher = batcher;
  }

  /**
   * Updates, or creates with the client's id when the resource does not exist yet. Outside a
   * transaction, an update may be written together with concurrent updates of the same caller
   * (never with another update of the same resource).
   */
  async update<T extends Resource>(resource: T, options: WriteOptions = {}): Promise<WriteResult> {
    const id = resource.id;
    if (!id || !isValidId(id))
      throw new FhirError('invalid_resource', 'Resource.id is missing or invalid', 'Resource.id');
    const batcher = this.hooks.updateBatcher;
    if (batcher && !this.conn && options.current === undefined) {
      const key = `${this.guarded ? 'g' : 'u'}:${JSON.stringify(this.caller ?? null)}`;
      return batcher.submit(key, this, { resource, ifMatch: options.ifMatch }, () =>
        this.updateAlone(resource, options),
      );
    }
    return this.updateAlone(resource, options);
  }

  private async updateAlone(resource: Resource, options: WriteOptions): Promise<WriteResult> {
    const id = resource.id as string;
    return this.inTransaction(async (tx) => {
      const conn = tx.conn instanceof TxConnection ? tx.conn : undefined;
      const key = `${resource.resourceType}/${id}`;
      // A second version of a resource still waiting: that one is written first, and the current
      // row the caller read before it was written is read again.
      const waited = conn?.deferred.has(key) ?? false;
      if (waited) await tx.writeDeferred();
      const current =
        options.current !== undefined && !waited
          ? (options.current ?? undefined)
          : await tx.lockCurrent(resource.resourceType, id);
      const checked = await tx.checkUpdate(resource, current, options.ifMatch);
      if ('error' in checked) throw checked.error;
      if ('version' in checked) return checked;
      if (conn?.deferring && options.current !== undefined) {
        // Written later with the others (see updateMany); the caller gets the version it will be.
        const lastUpdated = conn.deferred.values().next().value?.lastUpdated ?? new Date().toISOString();
        conn.deferred.set(key, { ...checked, lastUpdated });
        const stored = {
          ...checked.resource,
          meta: { ...checked.resource.meta, versionId: String(checked.versionId), lastUpdated },
        } as Resource;
        return {
          resource: stored,
          created: !checked.previous,
          version: {
            resourceType: stored.resourceType,
            id,
            versionId: checked.versionId,
            lastUpdated,
            deleted: false,
            json: JSON.stringify(stored),
          },
        };
      }
      const result = await tx.writeVersion(
        checked.resource,
        checked.versionId,
        false,
        !!current,
        checked.previous,
      );
      result.created = !checked.previous;
      await tx.runHooks(result, checked.previous);
      return result;
    });
  }

  /**
   * An update checked against the current version (locked by the caller): the If-Match outcome,
   * the unchanged result of a no-op, or the resource to write (before-write hooks run, the write
   * authorized) with its version id and the previous content.
   */
  private async checkUpdate(
    resource: Resource,
    current: StoredVersion | undefined,
    ifMatch: number | undefined,
  ): Promise<
    | { error: FhirError }
    | WriteResult
    | { resource: Resource; versionId: number; previous: Resource | undefined }
  > {
    const id = resource.id as string;
    if (ifMatch !== undefined && current?.versionId !== ifMatch) {
      return {
        error: new FhirError(
          'version_conflict',
          `${resource.resourceType}/${id} is at version ${current?.versionId ?? 'none'}, not ${ifMatch}`,
        ),
      };
    }
    const previous = current && !current.deleted ? (JSON.parse(current.json) as Resource) : undefined;
    if (this.guarded && current?.deleted) {
      // Re-creating a deleted resource must not reveal or overwrite what the caller cannot see.
      const allowed = await this.authorizeRead(
        current,
        [await this.rowAccessOf(resource.resourceType, id)],
        'read',
      );
      if (!allowed) throw new FhirError('forbidden', `${resource.resourceType}/${id} may not be written`);
    }
    const prepared = await this.runBeforeHooks(resource, previous);
    await this.authorizeWrite(previous ? 'update' : 'create', prepared, previous);
    if (previous && current && sameContent(previous, prepared)) {
      // A no-op update keeps the current version: re-sent data never grows the history.
      return { resource: previous, version: current, created: false, unchanged: true };
    }
    return { resource: prepared, versionId: (current?.versionId ?? 0) + 1, previous };
  }

  /** Soft delete: a new version marked deleted; reads then answer 410 Gone. */
  async delete(
    resourceType: string,
    id: string,
    options: WriteOptions = {},
  ): Promise<StoredVersion | undefined> {
    return this.inTransaction(async (tx) => {
      const current = await tx.lockCurrent(resourceType, id);
      if (options.ifMatch !== undefined && current?.versionId !== options.ifMatch) {
        throw new FhirError('version_conflict', `${resourceType}/${id} is not at version ${options.ifMatch}`);
      }
      if (!current || current.deleted) return undefined;
      const previous = JSON.parse(current.json) as Resource;
      await tx.authorizeWrite('delete', undefined, previous);
      const versionId = current.versionId + 1;
      const lastUpdated = new Date().toISOString();
      const content = { ...previous, meta: { ...previous.meta, versionId: String(versionId), lastUpdated } };
      const { sql, params } = writeVersionSql(null, true);
      const cols = tx.hooks.access?.columns(previous);
      await tx.queryable.query(sql, [
        resourceType,
        id,
        versionId,
        lastUpdated,
        true,
        JSON.stringify(content),
        cols?.security ?? null,
        cols?.compartment ?? null,
        cols?.custodian ?? null,
        ...params,
      ]);
      const version = {
        resourceType,
        id,
        versionId,
        lastUpdated,
        deleted: true,
        json: JSON.stringify(content),
      };
      if (tx.conn instanceof TxConnection) tx.conn.written.set(`${resourceType}/${id}`, version);
      await tx.hooks.access?.afterWrite(
        tx.unguarded(),
        { resource: content as Resource, version, created: false },
        previous,
      );
      for (const hook of tx.hooks.afterDelete ?? []) await hook(tx.unguarded(), previous);
      return version;
    });
  }

  /** Guarded stores: throws forbidden (naming the rule) unless the policy lets the caller write. */
  private async authorizeWrite(
    action: 'create' | 'update' | 'delete',
    next: Resource | undefined,
    previous: Resource | undefined,
  ): Promise<void> {
    if (!this.guarded) return;
    const type = next?.resourceType ?? previous?.resourceType ?? 'Resource';
    if (!this.hooks.access)
      throw new FhirError('forbidden', `No access control is installed to ${action} ${type}`);
    await this.hooks.access.authorizeWrite(this, action, next, previous);
  }

  private async rowAccessOf(resourceType: string, id: string): Promise<RowAccess> {
    const { rows } = await this.queryable.query(
      'select security, compartment, custodian from fhir_resources where resource_type = $1 and id = $2',
      [resourceType, id],
    );
    return rows.length ? rowAccess(rows[0]) : { security: null, compartment: null, custodian: null };
  }

  /**
   * The current rows of these resources, locked in one statement in key order (PostgreSQL locks
   * the rows as the sort returns them), by `Type/id`; absent ones are not in the map.
   */
  private async lockCurrents(resources: Resource[]): Promise<Map<string, StoredVersion>> {
    const { rows } = await this.queryable.query({
      name: 'kith-lock-currents',
      text: `select resource_type, id, version_id, last_updated, deleted, content::text as json
        from fhir_resources where (resource_type, id) in (select * from unnest($1::text[], $2::text[]))
        order by resource_type, id for update`,
      values: [resources.map((r) => r.resourceType), resources.map((r) => r.id)],
    });
    return new Map(
      rows.map((row) => [`${row.resource_type}/${row.id}`, toStoredVersion(row.resource_type, row.id, row)]),
    );
  }

  private async lockCurrent(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    const { rows } = await this.queryable.query(
      `select version_id, last_updated, deleted, content::text as json from fhir_resources
       where resource_type = $1 and id = $2 for update`,
      [resourceType, id],
    );
    return rows.length ? toStoredVersion(resourceType, id, rows[0]) : undefined;
  }

  private async writeVersion(
    resource: Resource,
    versionId: number,
    deleted: boolean,
    replaceIndexes: boolean,
    /** The version this one replaces (stored content): only the index rows that differ are written. */
    previous?: Resource,
  ): Promise<WriteResult> {
    const conn = this.conn instanceof TxConnection ? this.conn : undefined;
    await conn?.writePendingCreates();
    const lastUpdated = new Date().toISOString();
    const stored = {
      ...resource,
      meta: { ...resource.meta, versionId: String(versionId), lastUpdated },
    } as Resource;
    const json = JSON.stringify(stored);
    const rows = extractIndexRows(stored);
    const companions = this.hooks.companions ?? [];
    const riders = conn?.take(stored.resourceType, stored.id as string);
    const { sql, params, readAt } = writeVersionSql(
      rows,
      replaceIndexes,
      companions.map((c) => c.sql),
      riders,
      previous
        ? { type: stored.resourceType, id: stored.id as string, old: extractIndexRows(previous) }
        : undefined,
    );
    const readNames = [
      ...companions.map((c, i) => ({ name: c.name, at: { column: i } })),
      ...(riders?.reads ?? []).map((r, i) => ({ name: r.name, at: readAt[i] })),
    ];
    const cols = this.hooks.access?.columns(stored);
    let read: Record<string, unknown> | undefined;
    try {
      // Named, so each connection plans each statement shape once instead of on every write.
      const config = {
        name: statementName(sql),
        text: sql,
        values: [
          stored.resourceType,
          stored.id,
          versionId,
          lastUpdated,
          deleted,
          json,
          cols?.security ?? null,
          cols?.compartment ?? null,
          cols?.custodian ?? null,
          ...params,
        ],
      };
      const { rows: out } = conn ? await conn.queryCarrying(config) : await this.queryable.query(config);
      if (readNames.length)
        read = Object.fromEntries(readNames.map((n) => [n.name, readValue(out[0], n.at)]));
    } catch (err: any) {
      if (err?.code === '23505')
        throw new FhirError('conflict', `${stored.resourceType}/${stored.id} already exists`);
      throw err;
    }
    const version = {
      resourceType: stored.resourceType,
      id: stored.id as string,
      versionId,
      lastUpdated,
      deleted,
      json,
    };
    conn?.written.set(`${version.resourceType}/${version.id}`, version);
    return {
      ...(read ? { companions: read } : {}),
      resource: stored,
      created: versionId === 1,
      version,
    };
  }

  private async runHooks(result: WriteResult, previous: Resource | undefined): Promise<void> {
    const internal = this.unguarded();
    await this.hooks.access?.afterWrite(internal, result, previous);
    for (const hook of this.hooks.after) await hook(internal, result, previous);
  }

  /** The other capabilities' hooks, then the labels (last, so they see the final content). */
  private async runBeforeHooks(resource: Resource, previous: Resource | undefined): Promise<Resource> {
    const internal = this.unguarded();
    let r = resource;
    for (const hook of this.hooks.before) r = await hook(internal, r, previous);
    if (this.hooks.access) r = await this.hooks.access.label(internal, r, previous);
    return r;
  }
}

/** Equal apart from `meta.versionId` and `meta.lastUpdated`, whatever the key order. */
export function sameContent(a: Resource, b: Resource): boolean {
  const strip = (r: Resource): unknown => {
    const { meta, ...rest } = r;
    const { versionId: _v, lastUpdated: _l, ...metaRest } = meta ?? {};
    return Object.keys(metaRest).length ? { ...rest, meta: metaRest } : rest;
  };
  return canonical(strip(a)) === canonical(strip(b));
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const names = new Map<string, string>();
function statementName(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `kith_w${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    names.set(sql, name);
  }
  return name;
}

function rowAccess(row: any): RowAccess {
  return {
    security: row.security ?? null,
    compartment: row.compartment ?? null,
    custodian: row.custodian ?? null,
    ...(row.category !== undefined ? { category: row.category } : {}),
    ...(row.prefetched !== undefined && row.prefetched !== null ? { prefetched: row.prefetched } : {}),
  };
}

function columnsJson(cols: RowAccess | undefined): {
  s: string[] | null;
  p: string[] | null;
  u: string | null;
} {
  return { s: cols?.security ?? null, p: cols?.compartment ?? null, u: cols?.custodian ?? null };
}

/** A stored version from a row of `version_id, last_updated, deleted, json` (and `compartment`). */
export function toStoredVersion(resourceType: string, id: string, row: any): StoredVersion {
  return {
    resourceType,
    id,
    versionId: Number(row.version_id),
    lastUpdated: new Date(row.last_updated.replace(' ', 'T').replace(/\+00$/, 'Z')).toISOString(),
    deleted: row.deleted,
    json: row.json,
    ...(row.compartment ? { compartment: row.compartment } : {}),
  };
}
