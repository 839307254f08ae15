import type { Communication, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { splitReference, type FhirStore, type WriteResult } from '../../store';
import { rideOrRun, TxConnection } from '../../store/riders';
import { partiesAfterWrite, partyOf } from './parties';
import { hasOutcome, isReferralTask } from './referral-task';
import { CLOSED, isReferralStatus } from './state-machine';

/** Preferred category systems: the SDOH domains first, then any other coding. */
const SDOH_CATEGORY_SYSTEMS = [
  'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes',
  'http://hl7.org/fhir/us/core/CodeSystem/us-core-category',
];

/** The referral's service category: an SDOH domain code when the ServiceRequest has one. */
export function referralCategory(sr: ServiceRequest | undefined): string | null {
  const codings = (sr?.category ?? []).flatMap((c) => c.coding ?? []);
  const sdoh = codings.find((c) => c.system && SDOH_CATEGORY_SYSTEMS.includes(c.system) && c.code);
  const other = codings.find((c) => c.code && c.code !== '410606002'); // not the generic "social service procedure"
  return sdoh?.code ?? other?.code ?? sr?.category?.[0]?.text ?? null;
}

const FOCUS_READ = 'referral-focus-request';

/** The last ServiceRequest written in each transaction (keyed by its connection), for its Task's index. */
const writtenInTx = new WeakMap<object, ServiceRequest>();

const focusId = (task: Task): string | undefined => {
  const { type, id } = splitReference(task.focus?.reference ?? '');
  return type === 'ServiceRequest' && id ? id : undefined;
};

/**
 * Before a referral Task write: its focus ServiceRequest is read in the Task's own version write
 * (a read rider), so the referral index after it costs no round trip for it.
 */
export function rideFocusRequest(store: FhirStore, task: Task): void {
  const id = focusId(task);
  const conn = store.queryable;
  if (!id || !task.id || !(conn instanceof TxConnection)) return;
  conn.rideWith('Task', task.id, {
    name: FOCUS_READ,
    sql: `select content::text from fhir_resources where resource_type = 'ServiceRequest' and id = $1 and not deleted`,
    values: [id],
  });
}

async function focusRequest(
  store: FhirStore,
  task: Task,
  result: WriteResult,
): Promise<ServiceRequest | undefined> {
  const id = focusId(task);
  if (!id) return undefined;
  // Null from the rider when the ServiceRequest is not visible to the Task's statement (created in
  // the same bulk statement): read it then.
  const carried = result.companions?.[FOCUS_READ];
  if (typeof carried === 'string') return JSON.parse(carried) as ServiceRequest;
  // Written just before in this transaction (a referral's transaction Bundle): as its hook saw it.
  const written = store.inTx ? writtenInTx.get(store.queryable as object) : undefined;
  if (written?.id === id) return written;
  const v = await store.readIfExists('ServiceRequest', id);
  return v ? (JSON.parse(v.json) as ServiceRequest) : undefined;
}

/**
 * After-write hook: keeps `referral` (one row per referral Task) and `referral_status_log` in
 * step, and tells the other side of each status change through an in-app Communication.
 */
export async function indexReferral(
  store: FhirStore,
  result: WriteResult,
  previous: Resource | undefined,
): Promise<void> {
  const r = result.resource;
  if (r.resourceType === 'ServiceRequest') {
    if (store.inTx) writtenInTx.set(store.queryable as object, r as ServiceRequest);
    await store.queryable.query('update referral set category = $2 where service_request = $1', [
      `ServiceRequest/${r.id}`,
      referralCategory(r as ServiceRequest),
    ]);
    return;
  }
  if (r.resourceType !== 'Task' || !isReferralTask(r as Task)) return;
  const task = r as Task;
  const prev = previous as Task | undefined;
  if (!isReferralStatus(task.status)) return;
  const parties = await partiesAfterWrite(store, task);
  const sr = await focusRequest(store, task, result);
  const now = result.version.lastUpdated;
  const status = task.status;
  const statusChanged = !prev || prev.status !== status;
  const business = task.businessStatus?.coding?.[0]?.code ?? task.businessStatus?.text ?? null;
  const accepted = ['accepted', 'in-progress', 'on-hold', 'completed', 'failed'].includes(status);
  const closed = CLOSED.includes(status);
  // Nothing in the write's transaction reads these rows back: they ride in its next statement.
  await rideOrRun(store.queryable, {
    key: `referral:${task.id}`,
    sql: `insert into referral (task_id, service_request, requester_org, owner_org, category, status, business_status,
        authored_at, accepted_at, completed_at, closed_at, has_outcome, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, coalesce($8::timestamptz, $12::timestamptz),
        case when $9::boolean then $12::timestamptz end, case when $6 = 'completed' then $12::timestamptz end,
        case when $10::boolean then $12::timestamptz end, $11, $12::timestamptz)
     on conflict (task_id) do update set service_request = excluded.service_request,
        requester_org = excluded.requester_org, owner_org = excluded.owner_org,
        category = coalesce(excluded.category, referral.category), status = excluded.status,
        business_status = excluded.business_status,
        accepted_at = coalesce(referral.accepted_at, excluded.accepted_at),
        completed_at = coalesce(referral.completed_at, excluded.completed_at),
        closed_at = case when $10::boolean then coalesce(referral.closed_at, excluded.closed_at) end,
        has_outcome = excluded.has_outcome, updated_at = excluded.updated_at`,
    values: [
      task.id,
      task.focus?.reference ?? null,
      parties.requesterOrg ?? null,
      parties.ownerOrg ?? null,
      referralCategory(sr),
      status,
      business,
      task.authoredOn ?? null,
      accepted,
      closed,
      hasOutcome(task),
      now,
    ],
  });
  const businessChanged =
    !!prev && JSON.stringify(prev.businessStatus ?? null) !== JSON.stringify(task.businessStatus ?? null);
  if (!statusChanged && !businessChanged) return;
  const party = partyOf(store.caller, prev ?? task, parties);
  await rideOrRun(store.queryable, {
    sql: `insert into referral_status_log (task_id, from_status, to_status, business_status, party, actor, changed_at)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    values: [task.id, prev?.status ?? null, status, business, party, store.caller?.subject ?? null, now],
  });
  if (statusChanged && (prev || status === 'requested')) await tellOtherSide(store, task, party, parties);
}

/** An in-app message to the side that did not make the change (both sides for the system). */
async function tellOtherSide(
  store: FhirStore,
  task: Task,
  party: string,
  parties: { requesterOrg?: string; ownerOrg?: string },
): Promise<void> {
  const recipients: string[] = [];
  if (party !== 'requester' && parties.requesterOrg) recipients.push(`Organization/${parties.requesterOrg}`);
  if (party !== 'owner' && parties.ownerOrg && parties.ownerOrg !== parties.requesterOrg)
    recipients.push(`Organization/${parties.ownerOrg}`);
  if (!recipients.length) return;
  const sender =
    party === 'owner' && parties.ownerOrg
      ? `Organization/${parties.ownerOrg}`
      : party === 'requester' && parties.requesterOrg
        ? `Organization/${parties.requesterOrg}`
        : undefined;
  const business = task.businessStatus?.text ?? task.businessStatus?.coding?.[0]?.display;
  const what =
    task.status === 'requested'
      ? 'New referral received'
      : `Referral ${task.status}${business ? ` (${business})` : ''}`;
  const comm: Communication = {
    resourceType: 'Communication',
    status: 'completed',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/communication-category', code: 'notification' },
        ],
      },
    ],
    subject: task.for as Communication['subject'],
    about: [{ reference: `Task/${task.id}` }, ...(task.focus ? [task.focus] : [])],
    sent: new Date().toISOString(),
    recipient: recipients.map((reference) => ({ reference })),
    ...(sender ? { sender: { reference: sender } } : {}),
    payload: [{ contentString: `${what}${task.owner?.display ? `: ${task.owner.display}` : ''}` }],
  };
  await store.create(comm);
}
