import type { CodeableConcept, Coding, Consent, ConsentProvision, Period } from '@medplum/fhirtypes';
import { localReference } from '../labels';
import { periodEnd, periodStart } from './period';
import { ACTOR_GROUP_SYSTEM, GRANTEE_COVERED_ENTITIES, GRANTEE_EVERYONE, type Grant } from './grant';

/** Consent.provision.actor roles that name who receives the data (v3 ParticipationType). */
export const RECIPIENT_ROLES = ['IRCP', 'PRCP', 'REFT'];
/** Consent actions that are about access or disclosure (consentaction); `collect` and `correct` are not. */
export const DISCLOSURE_ACTIONS = ['access', 'use', 'disclose'];
const RESOURCE_TYPES_SYSTEM = 'http://hl7.org/fhir/resource-types';

export interface FlattenOptions {
  /**
   * The Patient ids the consent applies to (default: Consent.patient). Pass every Patient linked to
   * the same person so that a consent signed at one source follows the person's other records.
   */
  patients?: string[];
}

export interface FlattenResult {
  grants: Grant[];
  /** What could not be represented exactly, and what was done instead (for the consent screen). */
  notes: string[];
}

/** What a provision inherits from its parent: every constraint it does not state itself. */
interface Inherited {
  type: 'permit' | 'deny';
  actors?: ConsentProvision['actor'];
  actions?: string[];
  labels?: string[];
  purposes?: string[];
  classes?: Coding[];
  period?: Period;
  data?: ConsentProvision['data'];
  /** provision.code or provision.dataPeriod somewhere on the path: not expressible as a grant. */
  unsupported?: string;
}

const codesOf = (list: (Coding | undefined)[] | undefined): string[] =>
  (list ?? []).map((c) => c?.code).filter((c): c is string => !!c);
const conceptCodes = (list: CodeableConcept[] | undefined): string[] =>
  codesOf((list ?? []).flatMap((c) => c.coding));

function policyType(consent: Consent): 'permit' | 'deny' | undefined {
  const code = consent.policyRule?.coding?.[0]?.code ?? '';
  if (code.startsWith('OPTOUT')) return 'deny';
  if (code.startsWith('OPTIN')) return 'permit';
  return undefined;
}

function isPrivacyConsent(consent: Consent): boolean {
  return (consent.scope?.coding ?? []).some((c) => c.code === 'patient-privacy');
}

/** Grantees named by the actors; `unusable` counts actors that name no recipient Kith can match. */
function grantees(actors: ConsentProvision['actor']): { grantees: string[]; unusable: number } {
  if (!actors?.length) return { grantees: [GRANTEE_EVERYONE], unusable: 0 };
  const out = new Set<string>();
  let unusable = 0;
  for (const actor of actors) {
    const roles = codesOf(actor.role?.coding);
    const ref = actor.reference;
    const local = ref?.reference ? localReference(ref.reference) : undefined;
    const group = ref?.identifier?.system === ACTOR_GROUP_SYSTEM ? ref.identifier.value : undefined;
    if (roles.length && !roles.some((r) => RECIPIENT_ROLES.includes(r))) unusable++;
    else if (local?.startsWith('Organization/')) out.add(local.slice('Organization/'.length));
    else if (local?.startsWith('PractitionerRole/')) out.add(local);
    else if (group === 'covered-entities') out.add(GRANTEE_COVERED_ENTITIES);
    else if (group === 'all') out.add(GRANTEE_EVERYONE);
    else unusable++;
  }
  return { grantees: [...out], unusable };
}

/**
 * Flattens a FHIR R4 patient-privacy Consent into grant rows (IHE PCF: a base provision and nested
 * exceptions). Each nested provision inherits from its parent every constraint it does not state
 * (actor, action, securityLabel, purpose, class, period, data) and replaces those it does state.
 * What a grant cannot express is handled safely: a permit limited by something Kith cannot evaluate
 * (provision.code, dataPeriod, a class that is neither a resource type nor a category, data that is not an instance, an
 * actor that is not a recipient organization) is dropped; a deny is widened to ignore that limit.
 * Only active consents yield rows; a revoked (inactive) or rejected consent yields none.
 */
export function flattenConsent(consent: Consent, options: FlattenOptions = {}): FlattenResult {
  const notes: string[] = [];
  const grants: Grant[] = [];
  const patientRef = consent.patient?.reference ? localReference(consent.patient.reference) : undefined;
  const patients = options.patients ?? (patientRef?.startsWith('Patient/') ? [patientRef.slice(8)] : []);
  if (!consent.id) return { grants, notes: ['the consent has no id'] };
  if (consent.status !== 'active') return { grants, notes: [`status ${consent.status}: no grants`] };
  if (!isPrivacyConsent(consent)) return { grants, notes: ['scope is not patient-privacy: no grants'] };
  if (!patients.length) return { grants, notes: ['no patient: no grants'] };
  const consentId = consent.id;

  const emit = (p: Inherited, depth: number, path: string) => {
    const permit = p.type === 'permit';
    const drop = (why: string) => notes.push(`${path}: ${why}; permit dropped`);
    const widen = (why: string) => notes.push(`${path}: ${why}; deny applied without that limit`);
    if (p.actions && !p.actions.some((a) => DISCLOSURE_ACTIONS.includes(a))) {
      notes.push(`${path}: action ${p.actions.join(', ')} is not about access or disclosure; skipped`);
      return;
    }
    if (p.unsupported) {
      if (permit) return drop(p.unsupported);
      widen(p.unsupported);
    }
    const badPeriod =
      (p.period?.start && !periodStart(p.period.start)) || (p.period?.end && !periodEnd(p.period.end));
    if (badPeriod) {
      if (permit) return drop('unreadable period');
      widen('unreadable period');
    }
    let resourceTypes: string[] | undefined;
    let categories: string[] | undefined;
    if (p.classes) {
      // A class is a resource type (resource-types system, or no system and a type-shaped code) or a
      // data category (any other system), matched by code against the resource's category.
      const isType = (c: Coding) =>
        (c.system === RESOURCE_TYPES_SYSTEM || !c.system) && /^[A-Z][A-Za-z]+$/.test(c.code ?? '');
      const types = p.classes.filter(isType);
      const cats = p.classes.filter((c) => !isType(c) && !!c.system && !!c.code);
      if (types.length + cats.length < p.classes.length) {
        if (permit && !types.length && !cats.length)
          return drop('class is neither a resource type nor a category');
        if (permit) notes.push(`${path}: classes without a system that are not resource types ignored`);
        else widen('class is neither a resource type nor a category');
      }
      const exact = types.length + cats.length === p.classes.length;
      if (types.length && (permit || exact)) resourceTypes = codesOf(types);
      if (cats.length && (permit || exact)) categories = [...new Set(codesOf(cats))];
    }
    let resources: string[] | undefined;
    if (p.data?.length) {
      const refs = p.data.map((d) =>
        d.reference?.reference ? localReference(d.reference.reference) : undefined,
      );
      const exact = p.data.every((d, i) => d.meaning === 'instance' && refs[i]);
      if (exact || permit) resources = refs.filter((r): r is string => !!r);
      if (!exact && permit) notes.push(`${path}: data other than instances narrowed to the named resources`);
      if (!exact && !permit) widen('data other than instances');
      if (permit && !resources?.length) return drop('data names no resource');
    }
    const who = grantees(p.actors);
    let names = who.grantees;
    if (who.unusable) {
      if (permit && !names.length) return drop('no actor is a recipient organization');
      if (permit) notes.push(`${path}: actors that are not recipient organizations ignored`);
      else {
        widen('an actor is not a recipient organization');
        names = [GRANTEE_EVERYONE];
      }
    }
    const base = {
      consentId,
      permit,
      depth,
      labels: p.labels ?? [],
      ...(resourceTypes ? { resourceTypes } : {}),
      ...(categories ? { categories } : {}),
      ...(p.purposes ? { purposes: p.purposes } : {}),
      ...(resources ? { resources } : {}),
      ...(periodStart(p.period?.start) ? { periodStart: periodStart(p.period?.start) } : {}),
      ...(periodEnd(p.period?.end) ? { periodEnd: periodEnd(p.period?.end) } : {}),
    };
    for (const patient of patients) for (const grantee of names) grants.push({ ...base, patient, grantee });
  };

  const walk = (prov: ConsentProvision, parent: Inherited | undefined, depth: number, path: string) => {
    const type = prov.type ?? parent?.type ?? policyType(consent) ?? 'permit';
    const own = (v: unknown[] | undefined) => (v?.length ? v : undefined);
    const unsupported = [
      parent?.unsupported,
      prov.code?.length ? 'provision.code' : undefined,
      prov.dataPeriod ? 'provision.dataPeriod' : undefined,
    ].filter(Boolean);
    const here: Inherited = {
      type,
      actors: own(prov.actor) ? prov.actor : parent?.actors,
      actions: own(prov.action) ? conceptCodes(prov.action) : parent?.actions,
      labels: own(prov.securityLabel) ? codesOf(prov.securityLabel) : parent?.labels,
      purposes: own(prov.purpose) ? codesOf(prov.purpose) : parent?.purposes,
      classes: own(prov.class) ? prov.class : parent?.classes,
      period: prov.period ?? parent?.period,
      data: own(prov.data) ? prov.data : parent?.data,
      unsupported: unsupported.length ? [...new Set(unsupported)].join(', ') : undefined,
    };
    emit(here, depth, path);
    (prov.provision ?? []).forEach((child, i) => walk(child, here, depth + 1, `${path}.provision[${i}]`));
  };

  if (consent.provision) walk(consent.provision, undefined, 0, 'provision');
  else {
    const type = policyType(consent);
    if (type) emit({ type }, 0, 'policyRule');
    else notes.push('no provision and no OPTIN/OPTOUT policyRule: no grants');
  }
  return { grants, notes };
}

/** The grant rows of a Consent (see flattenConsent). */
export function consentGrants(consent: Consent, options: FlattenOptions = {}): Grant[] {
  return flattenConsent(consent, options).grants;
}
