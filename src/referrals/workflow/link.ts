import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Patient, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { FhirError } from '../../fhir/errors';
import type { Caller } from '../../privacy/caller';
import { splitReference, type FhirStore, type Queryable } from '../../store';
import { partyOf, taskParties } from './parties';
import { isReferralTask } from './referral-task';
import { allowedNext, isReferralStatus } from './state-machine';
import { serverSecret } from '../../notify/secret';

/**
 * Signed referral links: a receiving organization that has no Kith account opens the link to see
 * the minimum the referral needs and to update its status. The token is
 * `<jti>.<expiry>.<base64url HMAC-SHA256(secret, "<jti>.<expiry>")>`; the secret is KITH_LINK_SECRET
 * or one generated and stored on first use. The link's row (jti) names the Task and the
 * receiving organization and can be revoked.
 */
export interface LinkClaims {
  jti: string;
  task: string;
  owner: string;
  exp: number;
}

const SECRET_NAME = 'referral-link';
const DEFAULT_DAYS = 30;

async function secret(db: Queryable): Promise<Buffer> {
  return serverSecret(db, SECRET_NAME, process.env.KITH_LINK_SECRET);
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

export async function createReferralLink(
  store: FhirStore,
  taskId: string,
  opts: { days?: number } = {},
): Promise<{ token: string; expires: string }> {
  const task = await store.readResource<Task>('Task', taskId);
  if (!isReferralTask(task)) throw new FhirError('invalid_value', `Task/${taskId} is not a referral`);
  const { ownerOrg } = await taskParties(store, task);
  if (!ownerOrg)
    throw new FhirError(
      'invalid_value',
      'The referral has no receiving Organization (Task.owner) to give a link to',
      'Task.owner',
    );
  const exp = Math.floor((Date.now() + (opts.days ?? DEFAULT_DAYS) * 86_400_000) / 1000);
  const jti = randomUUID();
  await store.queryable.query(
    'insert into referral_link (jti, task_id, owner_org, expires_at) values ($1, $2, $3, $4)',
    [jti, taskId, ownerOrg, new Date(exp * 1000).toISOString()],
  );
  const payload = `${jti}.${exp}`;
  return {
    token: `${payload}.${sign(await secret(store.queryable), payload)}`,
    expires: new Date(exp * 1000).toISOString(),
  };
}

/** One link issued for a referral, as its sender sees it (the token itself is never stored). */
export interface IssuedLink {
  jti: string;
  /** The receiving organization the link acts as (bare id). */
  owner: string;
  created: string;
  expires: string;
  revoked?: string;
  state: 'active' | 'expired' | 'revoked';
}

/** Only the sending side (or the system) lists and revokes a referral's links: it is the side that made them. */
async function requireSender(store: FhirStore, taskId: string): Promise<void> {
  const task = await store.readResource<Task>('Task', taskId);
  if (!isReferralTask(task)) throw new FhirError('invalid_value', `Task/${taskId} is not a referral`);
  const party = partyOf(store.caller, task, await taskParties(store, task));
  if (party !== 'requester' && party !== 'both' && party !== 'system')
    throw new FhirError(
      'forbidden',
      'Only the requesting organization manages the signed links of a referral',
      'Task.requester',
    );
}

/** The links issued for a referral, newest first, with their state. */
export async function listReferralLinks(store: FhirStore, taskId: string): Promise<IssuedLink[]> {
  await requireSender(store, taskId);
  const { rows } = await store.queryable.query(
    `select jti, owner_org, created_at, expires_at, revoked_at from referral_link
     where task_id = $1 order by created_at desc, jti`,
    [taskId],
  );
  const now = Date.now();
  return rows.map((r) => {
    const iso = (v: unknown) => new Date(v as string).toISOString();
    return {
      jti: r.jti,
      owner: r.owner_org,
      created: iso(r.created_at),
      expires: iso(r.expires_at),
      ...(r.revoked_at ? { revoked: iso(r.revoked_at) } : {}),
      state: r.revoked_at ? 'revoked' : new Date(r.expires_at).getTime() <= now ? 'expired' : 'active',
    };
  });
}

/** Revokes one of a referral's links (the sending side only); revoking twice keeps the first time. */
export async function revokeLinkOfReferral(
  store: FhirStore,
  taskId: string,
  jti: string,
): Promise<IssuedLink> {
  await requireSender(store, taskId);
  await store.queryable.query(
    'update referral_link set revoked_at = now() where jti = $1 and task_id = $2 and revoked_at is null',
    [jti, taskId],
  );
  const link = (await listReferralLinks(store, taskId)).find((l) => l.jti === jti);
  if (!link) throw new FhirError('not_found', `Task/${taskId} has no link ${jti}`, 'jti');
  return link;
}

/** Checks signature, expiry and revocation; the claims when the link is good, else 403/404. */
export async function verifyReferralLink(db: Queryable, token: string): Promise<LinkClaims> {
  const [jti, expText, mac] = token.split('.');
  const bad = (): never => {
    throw new FhirError('forbidden', 'This referral link is not valid');
  };
  if (!jti || !expText || !mac) bad();
  const expected = Buffer.from(sign(await secret(db), `${jti}.${expText}`));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) bad();
  const exp = Number(expText);
  if (!(exp * 1000 > Date.now())) throw new FhirError('forbidden', 'This referral link has expired');
  const { rows } = await db.query('select task_id, owner_org, revoked_at from referral_link where jti = $1', [
    jti,
  ]);
  if (!rows.length) bad();
  if (rows[0].revoked_at)
    throw new FhirError(
      'forbidden',
      `This referral link was revoked by the sending organization on ${new Date(rows[0].revoked_at).toISOString().slice(0, 10)}. Ask them for a new link if you still need one.`,
    );
  return { jti, task: rows[0].task_id, owner: rows[0].owner_org, exp };
}

export async function revokeReferralLink(db: Queryable, jti: string): Promise<void> {
  await db.query('update referral_link set revoked_at = now() where jti = $1 and revoked_at is null', [jti]);
}

/** The caller a link acts as: the receiving organization, nothing more. */
export function linkCaller(claims: LinkClaims): Caller {
  return {
    kind: 'anonymous',
    subject: `referral-link:${claims.jti}`,
    organization: { id: claims.owner, kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
    accessLevel: 'exchange',
    roles: [],
    purposeOfUse: 'CAREMGT',
    scopes: [],
  };
}

async function readRef<T extends Resource>(
  store: FhirStore,
  ref: string | undefined,
): Promise<T | undefined> {
  const { type, id } = splitReference(ref ?? '');
  if (!type || !id) return undefined;
  const v = await store.readIfExists(type, id);
  return v ? (JSON.parse(v.json) as T) : undefined;
}

/** The minimum a receiving organization needs to act on a referral: no clinical record beyond it. */
export async function referralLinkView(
  store: FhirStore,
  claims: LinkClaims,
): Promise<Record<string, unknown>> {
  const task = await store.readResource<Task>('Task', claims.task);
  const sr = await readRef<ServiceRequest>(store, task.focus?.reference);
  const person = await readRef<Patient>(store, task.for?.reference);
  const name = person?.name?.[0];
  const concept = (c?: {
    text?: string;
    coding?: { display?: string; code?: string }[];
  }): string | undefined => c?.text ?? c?.coding?.[0]?.display ?? c?.coding?.[0]?.code;
  return {
    task: {
      id: task.id,
      status: task.status,
      businessStatus: concept(task.businessStatus),
      authoredOn: task.authoredOn,
      lastModified: task.lastModified,
      requester: task.requester?.display,
      owner: task.owner?.display,
      allowedNext: isReferralStatus(task.status) ? allowedNext(task.status, 'owner') : [],
    },
    referral: sr
      ? {
          category: (sr.category ?? []).map(concept).filter(Boolean),
          service: concept(sr.code),
          reason: [
            ...(sr.reasonCode ?? []).map(concept),
            ...(sr.reasonReference ?? []).map((r) => r.display),
          ].filter(Boolean),
          note: (sr.note ?? []).map((n) => n.text),
          occurrence: sr.occurrenceDateTime ?? sr.occurrencePeriod,
        }
      : undefined,
    client: person
      ? {
          name: name
            ? (name.text ?? [...(name.given ?? []), name.family].filter(Boolean).join(' '))
            : task.for?.display,
          birthDate: person.birthDate,
          phone: person.telecom?.filter((t) => t.system === 'phone').map((t) => t.value),
          preferredLanguage: concept(
            person.communication?.find((c) => c.preferred)?.language ?? person.communication?.[0]?.language,
          ),
        }
      : { name: task.for?.display },
    expires: new Date(claims.exp * 1000).toISOString(),
  };
}

export interface LinkUpdate {
  status?: string;
  businessStatus?: string;
  statusReason?: string;
  outcome?: string;
  note?: string;
}

/** Applies an update made through a link, as the receiving organization, through the state machine. */
export async function updateViaLink(store: FhirStore, claims: LinkClaims, u: LinkUpdate): Promise<Task> {
  const asOwner = store.actingAs(linkCaller(claims));
  return asOwner.inTransaction(async (tx) => {
    const task = await tx.readResource<Task>('Task', claims.task);
    const next: Task = { ...task };
    if (u.status) next.status = u.status as Task['status'];
    if (u.businessStatus) {
      const { BUSINESS_STATUSES, BUSINESS_STATUS_SYSTEM } = await import('./state-machine');
      const def = BUSINESS_STATUSES[u.businessStatus];
      next.businessStatus = def
        ? {
            coding: [{ system: BUSINESS_STATUS_SYSTEM, code: u.businessStatus, display: def.display }],
            text: def.display,
          }
        : { text: u.businessStatus };
    }
    if (u.statusReason) next.statusReason = { text: u.statusReason };
    if (u.outcome)
      next.output = [
        ...(task.output ?? []),
        {
          type: {
            coding: [
              {
                system: 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes',
                code: 'resulting-activity',
              },
            ],
          },
          valueCodeableConcept: { text: u.outcome },
        },
      ];
    if (u.note)
      next.note = [
        ...(task.note ?? []),
        {
          text: u.note,
          time: new Date().toISOString(),
          authorString: 'Receiving organization (referral link)',
        },
      ];
    const { validationIssues } = await import('../../fhir/validate');
    const issues = validationIssues(next);
    if (issues.length) throw new FhirError('validation_failed', issues);
    const result = await tx.update(next);
    return result.resource as Task;
  });
}
