import type { Consent, Person, Resource } from '@medplum/fhirtypes';
import { AuditWriter, recordAudit, recordPendingAudit, type AuditInput } from '../../audit';
import { FhirError } from '../../fhir/errors';
import type { Database, FhirStore, StoredVersion, WriteResult } from '../../store';
import { TxConnection } from '../../store/riders';
import type { AccessControl, AccessEvent, ReadKind, RowAccess, WriteAction } from '../../store/access';
import { GRANTS_OF_ROW_SQL, grantFromRow, loadGrants, syncConsentGrants } from '../consent';
import {
  accessColumns,
  applyRedaction,
  decide,
  defaultPolicy,
  resourceCategories,
  searchReadsRedacted,
  visibilitySql,
  type AccessPolicy,
  type Decision,
} from '../policy';
import { securityCodes } from '../labels';
import { labelForWrite } from './write-labels';
import { linkedPatients } from './linked-patients';

const bare = (ref: string) => ref.replace(/^Patient\//, '');

/** A code JSON writes as it is (no escapes), so its quoted form is in the text of any resource holding it. */
const PLAIN_CODE = /^[A-Za-z0-9._-]+$/;

/** Rules whose permits are privileged accesses: the audit says so. */
const PRIVILEGED = (policy: AccessPolicy) =>
  new Set([policy.administrator.ruleId, policy.dataSteward.ruleId, policy.breakGlass.ruleId]);

/**
 * The access layer of one Kith: labels and access columns on every write, consent grants kept in
 * step with Consent writes, and for stores bound to a caller the policy (src/privacy/policy) on
 * every read, search, history and write, each audited (src/audit).
 */
export class PolicyGuard implements AccessControl {
  private readonly writer: AuditWriter;

  constructor(
    db: Database,
    private readonly policy: AccessPolicy = defaultPolicy,
  ) {
    this.writer = new AuditWriter(db);
  }

  label(tx: FhirStore, resource: Resource, previous: Resource | undefined): Promise<Resource> {
    if (resource.resourceType === 'Person')
      ridePersonConsentsRead(tx, resource as Person, previous as Person | undefined);
    return labelForWrite(tx, resource, previous);
  }

  columns(resource: Resource): RowAccess {
    return accessColumns(resource);
  }

  /** A read's consent grants come with the row (administrators' decisions never read them). */
  readCompanionSql(store: FhirStore): string | undefined {
    return store.actor.roles.includes('administrator') ? undefined : GRANTS_OF_ROW_SQL;
  }

  private async decideOn(
    store: FhirStore,
    resourceType: string,
    id: string | undefined,
    cols: RowAccess,
    action: 'read' | 'search' | WriteAction,
  ): Promise<Decision> {
    const patients = (cols.compartment ?? []).map(bare);
    // An administrator's decision never reads consents: spare every system and admin read the lookup.
    const grants = store.actor.roles.includes('administrator')
      ? []
      : Array.isArray(cols.prefetched)
        ? cols.prefetched.map(grantFromRow)
        : await loadGrants(store.queryable, patients);
    const decision = decide(
      store.actor,
      {
        resourceType,
        ...(id ? { id } : {}),
        action,
        labels: cols.security ?? [],
        patientIds: patients,
        ...(cols.custodian ? { custodian: cols.custodian } : {}),
        ...(cols.category ? { categories: cols.category } : {}),
      },
      grants,
      { policy: this.policy },
    );
    // Columns never computed are visible to administrators only, as in visibilitySql (fail closed).
    if (
      (cols.security === null || cols.compartment === null) &&
      decision.ruleId !== this.policy.administrator.ruleId
    )
      return { ...decision, decision: 'deny', reason: 'the access columns of this row were never computed' };
    return decision;
  }

  async authorizeWrite(
    tx: FhirStore,
    action: WriteAction,
    next: Resource | undefined,
    previous: Resource | undefined,
  ): Promise<void> {
    const checks: Resource[] = [];
    if (previous) checks.push(previous);
    if (next) checks.push(next);
    let permit: Decision | undefined;
    for (const r of checks) {
      const cols = accessColumns(r);
      const d = await this.decideOn(tx, r.resourceType, r.id, cols, action);
      const ref = `${r.resourceType}/${r.id}`;
      if (d.decision !== 'permit') {
        // The write's transaction rolls back, so the refusal is recorded outside it, after it ends.
        void this.writer
          .record(
            this.input(tx, {
              action: 'denied',
              interaction: action,
              resources: [ref],
              patients: cols.compartment,
              ...facts(d),
            }),
          )
          .catch(() => undefined);
        // Stored content the caller cannot read is answered as a read of it is: not known. The
        // reason would name its sensitivity and its person; the audit event keeps the rule.
        // (A redacted one the caller does see, in part: that refusal names the rule.)
        const unreadable =
          r === previous &&
          d.ruleId === this.policy.writeRequiresRead.ruleId &&
          (await this.decideOn(tx, r.resourceType, r.id, cols, 'read')).decision === 'deny';
        if (unreadable) throw new FhirError('not_found', `${ref} is not known`);
        throw new FhirError(
          'forbidden',
          `${action} ${ref} is not allowed: ${d.reason} (rule ${d.ruleId}, policy ${d.policyVersion})`,
        );
      }
      permit = d;
    }
    const target = next ?? previous!;
    await this.audit(tx, {
      action,
      resources: [`${target.resourceType}/${target.id}`],
      patients: [...new Set(checks.flatMap((r) => accessColumns(r).compartment))],
      ...(permit ? facts(permit) : {}),
    });
  }

  async afterWrite(tx: FhirStore, result: WriteResult, previous: Resource | undefined): Promise<void> {
    if (result.resource.resourceType === 'Person')
      return resyncPersonConsents(
        tx,
        result.resource as Person,
        previous as Person | undefined,
        result.companions?.[PERSON_CONSENTS_READ] as string[] | undefined,
      );
    if (result.resource.resourceType !== 'Consent') return;
    const consent = result.resource as Consent;
    await syncConsentGrants(tx.queryable, consent, {
      patients: await linkedPatients(tx.queryable, consent.patient?.reference),
      deleted: result.version.deleted,
    });
    if (tx.caller)
      await recordAudit(
        tx.queryable,
        this.input(tx, {
          action: 'consent-change',
          resources: [`Consent/${consent.id}`],
          patients: consent.patient?.reference ? [consent.patient.reference] : [],
          reason: result.version.deleted ? 'deleted' : `status ${consent.status}`,
        }),
      );
  }

  async authorizeRead(
    store: FhirStore,
    version: StoredVersion,
    rows: RowAccess[],
    kind: ReadKind,
  ): Promise<StoredVersion | undefined> {
    const action = kind === 'search' ? 'search' : 'read';
    const ref = `${version.resourceType}/${version.id}`;
    let first: Decision | undefined;
    for (const row of rows) {
      // Rows read without their category (the update path's re-create check): the version's own.
      const cols =
        row.category === undefined
          ? { ...row, category: resourceCategories(JSON.parse(version.json) as Resource) }
          : row;
      const d = await this.decideOn(store, version.resourceType, version.id, cols, action);
      first ??= d;
      if (d.decision === 'deny') {
        await this.audit(store, {
          action: 'denied',
          interaction: kind,
          resources: [ref],
          patients: cols.compartment ?? [],
          ...facts(d),
        });
        return undefined;
      }
    }
    const decision = first!;
    const json =
      decision.decision === 'redact'
        ? JSON.stringify(applyRedaction(JSON.parse(version.json) as Resource, decision, this.policy))
        : version.json;
    await this.audit(store, {
      action: kind === 'vread' ? 'vread' : 'read',
      resources: [kind === 'vread' ? `${ref}/_history/${version.versionId}` : ref],
      patients: rows[0].compartment ?? [],
      ...facts(decision),
    });
    return { ...version, json };
  }

  visibility(store: FhirStore, options: { resourceType?: string; paramCodes?: string[] }) {
    const caller = store.actor;
    const now = new Date();
    const allowRedacted = !(
      options.resourceType && searchReadsRedacted(options.resourceType, options.paramCodes ?? [], this.policy)
    );
    return (resourceType: string, p: any, o: { alias?: string; allowRedacted?: boolean } = {}) =>
      visibilitySql(caller, p, {
        resourceType,
        now,
        policy: this.policy,
        allowRedacted: o.allowRedacted ?? allowRedacted,
        ...(o.alias ? { alias: o.alias } : {}),
      });
  }

  async redactHits<T extends { resourceType: string; id: string; json: string }>(
    store: FhirStore,
    hits: T[],
  ): Promise<T[]> {
    const out: T[] = [];
    for (const hit of hits) {
      const rule = this.policy.redactions.find((r) => r.resourceTypes.includes(hit.resourceType));
      // A resource whose text never names the rule's label cannot carry it: not parsed to look.
      if (!rule || !hit.json || (PLAIN_CODE.test(rule.label) && !hit.json.includes(`"${rule.label}"`))) {
        out.push(hit);
        continue;
      }
      const resource = JSON.parse(hit.json) as Resource;
      if (!securityCodes(resource).includes(rule.label)) {
        out.push(hit);
        continue;
      }
      const d = await this.decideOn(store, hit.resourceType, hit.id, accessColumns(resource), 'search');
      if (d.decision === 'deny') continue; // the SQL filter already agrees; never serve what decide refuses
      out.push(
        d.decision === 'redact'
          ? { ...hit, json: JSON.stringify(applyRedaction(resource, d, this.policy)) }
          : hit,
      );
    }
    return out;
  }

  async audit(store: FhirStore, event: AccessEvent): Promise<void> {
    const input = this.input(store, event);
    // Inside a transaction the event commits with it (and PGlite's one connection is held by it).
    if (store.inTx) {
      // Chained after the write commits: appending inside it would hold the chain's head for the
      // whole transaction and line every write up behind it.
      await recordPendingAudit(store.queryable, input);
      this.writer.notePending();
    } else await this.writer.record(input);
  }

  private input(
    store: FhirStore,
    e: Omit<AccessEvent, 'action' | 'patients'> & {
      action: AuditInput['action'];
      patients?: string[] | null;
    },
  ): AuditInput {
    const details: Record<string, string> = {};
    if (e.ruleId) details.ruleId = e.ruleId;
    if (e.policyVersion) details.policyVersion = e.policyVersion;
    if (e.ruleId && PRIVILEGED(this.policy).has(e.ruleId)) details.privileged = 'true';
    return {
      action: e.action,
      caller: store.actor,
      resources: e.resources,
      patients: [...new Set(e.patients ?? [])],
      ...(e.query ? { query: e.query } : {}),
      ...(e.interaction ? { interaction: e.interaction as AuditInput['interaction'] } : {}),
      ...(e.operation ? { operation: e.operation } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
      ...(store.actor.breakGlass && e.ruleId === this.policy.breakGlass.ruleId
        ? { reason: `break-glass: ${store.actor.breakGlass.reason}` }
        : {}),
      details,
    };
  }

  /** Resolves once every queued read event is stored (tests, shutdown). */
  flush(): Promise<void> {
    return this.writer.flush();
  }
}

const personPatients = (person: Person | undefined): string[] =>
  (person?.link ?? [])
    .map((l) => l.target?.reference ?? '')
    .filter((r) => r.startsWith('Patient/'))
    .map((r) => r.slice('Patient/'.length));

/** The Patients whose consents follow a Person write, or none when its Patients did not change. */
function touchedPatients(person: Person, previous: Person | undefined): string[] {
  const now = personPatients(person);
  const before = personPatients(previous);
  if (now.length === before.length && now.every((p) => before.includes(p))) return [];
  return [...new Set([...now, ...before])];
}

const CONSENTS_OF_PATIENTS_SQL = `select coalesce(array_agg(distinct consent_id), '{}') from consent_grants where patient = any($1::text[])`;
// The same for several Persons' writes in one statement: patients joined by U+001F, one JSON array
// of consent ids per Person, in order.
const CONSENTS_OF_PATIENTS_MANY_SQL = `select coalesce(json_agg(g.ids order by x.n), '[]'::json)
  from unnest($1::text[]) with ordinality as x(p, n)
  cross join lateral (select coalesce(array_agg(distinct consent_id), '{}') as ids from consent_grants
    where patient = any(string_to_array(x.p, chr(31)))) g`;
const PERSON_CONSENTS_READ = 'privacy-person-consents';

/** The consents a Person write must re-flatten are read in that write's own statement. */
function ridePersonConsentsRead(tx: FhirStore, person: Person, previous: Person | undefined): void {
  const touched = touchedPatients(person, previous);
  if (!touched.length || !(tx.queryable instanceof TxConnection) || !person.id) return;
  tx.queryable.rideWith('Person', person.id, {
    name: PERSON_CONSENTS_READ,
    sql: CONSENTS_OF_PATIENTS_SQL,
    values: [touched],
    many: { sql: CONSENTS_OF_PATIENTS_MANY_SQL, values: [touched.join('\u001f')] },
  });
}

/**
 * When identity resolution changes which Patients a Person links, the consents of those Patients
 * are flattened again, so a consent signed at one source follows the person's other records (and
 * stops following one that was split off). `prefetched`: those consents' ids, read with the write.
 */
async function resyncPersonConsents(
  tx: FhirStore,
  person: Person,
  previous: Person | undefined,
  prefetched: string[] | undefined,
): Promise<void> {
  const now = personPatients(person);
  const before = personPatients(previous);
  const touched = touchedPatients(person, previous);
  if (!touched.length) return;
  const consentIds =
    prefetched ??
    ((await tx.queryable.query(`select (${CONSENTS_OF_PATIENTS_SQL}) as ids`, [touched])).rows[0]
      .ids as string[]);
  for (const consent_id of consentIds) {
    const v = await tx.unguarded().readIfExists('Consent', consent_id);
    if (!v) continue;
    const consent = JSON.parse(v.json) as Consent;
    const own = consent.patient?.reference?.replace(/^Patient\//, '');
    const linked = await linkedPatients(tx.queryable, consent.patient?.reference);
    // The Person's links as now written decide for the patients it names or named (identity_links
    // may not say so yet); the consent's own patient is always covered.
    const patients = new Set(linked.filter((p) => now.includes(p) || !before.includes(p)));
    if (own && now.includes(own)) for (const p of now) patients.add(p);
    if (own) patients.add(own);
    await syncConsentGrants(tx.queryable, consent, { patients: [...patients].sort() });
  }
}

function facts(d: Decision): Pick<AccessEvent, 'ruleId' | 'policyVersion' | 'reason'> {
  return { ruleId: d.ruleId, policyVersion: d.policyVersion, reason: d.reason };
}
