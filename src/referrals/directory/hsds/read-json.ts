import { HsdsTables, type HsdsTable } from './tables';

/** What a JSON file turned out to be. */
export type JsonKind =
  | 'organization'
  | 'service'
  | 'service_at_location'
  | 'location'
  | 'taxonomy'
  | 'taxonomy_term'
  | 'tabular'
  | 'datapackage'
  | 'api-root'
  | 'schema'
  | 'unknown';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Guesses the HSDS object a JSON object is, from the fields only that object has. */
export function objectKind(o: Obj, hint?: string): JsonKind {
  if (
    hint &&
    ['organization', 'service', 'service_at_location', 'location', 'taxonomy', 'taxonomy_term'].includes(hint)
  )
    return hint as JsonKind;
  if (isObj(o.service) || (isObj(o.location) && !('name' in o))) return 'service_at_location';
  if (
    'status' in o &&
    ('eligibility_description' in o || 'service_at_locations' in o || 'organization' in o || 'name' in o)
  )
    return 'service';
  if (
    'services' in o ||
    'legal_status' in o ||
    'year_incorporated' in o ||
    'website' in o ||
    'organization_identifiers' in o
  )
    return 'organization';
  if ('location_type' in o || 'latitude' in o || 'addresses' in o) return 'location';
  if ('code' in o && ('taxonomy_detail' in o || 'term_uri' in o || 'parent_id' in o || 'taxonomy_id' in o))
    return 'taxonomy_term';
  if ('name' in o && ('uri' in o || 'version' in o) && Object.keys(o).length <= 6) return 'taxonomy';
  return 'unknown';
}

/** Classifies a parsed JSON document: an HSDS object, a paged list, tabular JSON, or not HSDS data. */
export function documentKind(doc: unknown, fileName = ''): { kind: JsonKind; list: boolean } {
  if (!isObj(doc)) return { kind: 'unknown', list: false };
  if (
    typeof doc.$schema === 'string' ||
    typeof doc.openapi === 'string' ||
    (isObj(doc.properties) && 'type' in doc)
  )
    return { kind: 'schema', list: false };
  if (Array.isArray(doc.resources) && doc.resources.some((r: Obj) => typeof r?.path === 'string'))
    return { kind: 'datapackage', list: false };
  if (Object.keys(doc).some((k) => k.endsWith('.csv'))) return { kind: 'tabular', list: false };
  if ('openapi_url' in doc || ('version' in doc && 'profile' in doc && !('id' in doc)))
    return { kind: 'api-root', list: false };
  const hint =
    /^(organization|service_at_location|service|location|taxonomy_term|taxonomy)(?:_full|_list)?\.json$/i
      .exec(fileName.split(/[\\/]/).pop() ?? '')?.[1]
      ?.toLowerCase();
  if (Array.isArray(doc.contents)) {
    const first = doc.contents.find(isObj);
    return { kind: first ? objectKind(first, hint) : ((hint as JsonKind) ?? 'unknown'), list: true };
  }
  return { kind: objectKind(doc, hint), list: false };
}

/** Flattens HSDS JSON (an object, a paged list's `contents`, or tabular JSON) into tables. */
export function readHsdsJson(
  doc: unknown,
  fileName = '',
  into = new HsdsTables(),
): { tables: HsdsTables; kind: JsonKind; list: boolean } {
  const { kind, list } = documentKind(doc, fileName);
  const d = doc as Obj;
  if (kind === 'tabular') {
    for (const [name, rows] of Object.entries(d)) {
      const table = name.replace(/\.csv$/, '') as HsdsTable;
      if (Array.isArray(rows)) for (const r of rows) if (isObj(r)) into.add(table, r);
    }
    return { tables: into, kind, list };
  }
  const items = list ? (d.contents as unknown[]).filter(isObj) : [d];
  for (const item of items) {
    const k = list ? objectKind(item, kind) : kind;
    walk(into, k, item, {});
  }
  return { tables: into, kind, list };
}

/** Adds an object and everything nested in it, giving each nested row the keys of its parents. */
function walk(t: HsdsTables, kind: JsonKind, o: Obj, keys: Obj): void {
  switch (kind) {
    case 'organization':
      return organization(t, o, keys);
    case 'service':
      return service(t, o, keys);
    case 'service_at_location':
      return serviceAtLocation(t, o, keys);
    case 'location':
      return location(t, o, keys);
    case 'taxonomy':
      t.add('taxonomies', scalars(o));
      return;
    case 'taxonomy_term':
      return taxonomyTerm(t, o);
    default:
      return;
  }
}

/** The object's own fields (not nested objects or lists). */
function scalars(o: Obj, extra: Obj = {}): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (!isObj(v) && !Array.isArray(v)) out[k] = v;
  return { ...out, ...extra };
}

const each = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : isObj(v) ? [v] : []);

function organization(t: HsdsTables, o: Obj, keys: Obj): void {
  t.add('organizations', scalars(o));
  const org = { organization_id: o.id };
  for (const x of each(o.phones)) phone(t, x, { ...org });
  for (const x of each(o.contacts)) contact(t, x, { ...org });
  for (const x of each(o.locations)) location(t, x, { ...org });
  for (const x of each(o.programs)) t.add('programs', scalars(x, org));
  for (const x of each(o.organization_identifiers)) t.add('organization_identifiers', scalars(x, org));
  for (const x of each(o.funding)) t.add('funding', scalars(x, org));
  for (const x of each(o.services)) service(t, x, { ...org });
  for (const x of each(o.attributes)) attribute(t, x, o.id, 'organization');
  void keys;
}

function service(t: HsdsTables, o: Obj, keys: Obj): void {
  const org = isObj(o.organization) ? o.organization : undefined;
  const program = isObj(o.program) ? o.program : undefined;
  t.add(
    'services',
    scalars(o, {
      organization_id: o.organization_id ?? org?.id ?? keys.organization_id,
      program_id: o.program_id ?? program?.id,
    }),
  );
  if (org) organization(t, org, {});
  if (program) t.add('programs', scalars(program, { organization_id: program.organization_id ?? org?.id }));
  const svc = { service_id: o.id };
  for (const x of each(o.phones)) phone(t, x, svc);
  for (const x of each(o.schedules)) t.add('schedules', scalars(x, svc));
  for (const x of each(o.service_areas)) t.add('service_areas', scalars(x, svc));
  for (const x of each(o.languages)) t.add('languages', scalars(x, svc));
  for (const x of each(o.contacts)) contact(t, x, svc);
  for (const x of each(o.funding)) t.add('funding', scalars(x, svc));
  for (const x of each(o.cost_options)) t.add('cost_options', scalars(x, svc));
  for (const x of each(o.required_documents)) t.add('required_documents', scalars(x, svc));
  for (const x of each(o.service_at_locations)) serviceAtLocation(t, x, svc);
  for (const x of each(o.attributes)) attribute(t, x, o.id, 'service');
}

function serviceAtLocation(t: HsdsTables, o: Obj, keys: Obj): void {
  const svc = isObj(o.service) ? o.service : undefined;
  const loc = isObj(o.location) ? o.location : undefined;
  const serviceId = o.service_id ?? svc?.id ?? keys.service_id;
  const locationId = o.location_id ?? loc?.id;
  t.add('service_at_location', scalars(o, { service_id: serviceId, location_id: locationId }));
  if (svc) service(t, svc, {});
  if (loc) location(t, loc, {});
  const sal = { service_at_location_id: o.id, service_id: serviceId, location_id: locationId };
  for (const x of each(o.phones)) phone(t, x, sal);
  for (const x of each(o.schedules)) t.add('schedules', scalars(x, sal));
  for (const x of each(o.contacts)) contact(t, x, sal);
  for (const x of each(o.attributes)) attribute(t, x, o.id, 'service_at_location');
}

function location(t: HsdsTables, o: Obj, keys: Obj): void {
  t.add('locations', scalars(o, { organization_id: o.organization_id ?? keys.organization_id }));
  const loc = { location_id: o.id };
  for (const x of each(o.addresses)) t.add('addresses', scalars(x, loc));
  for (const x of each(o.phones)) phone(t, x, loc);
  for (const x of each(o.schedules)) t.add('schedules', scalars(x, loc));
  for (const x of each(o.languages)) t.add('languages', scalars(x, loc));
  for (const x of each(o.contacts)) contact(t, x, loc);
  for (const x of each(o.accessibility)) t.add('accessibility', scalars(x, loc));
  for (const x of each(o.attributes)) attribute(t, x, o.id, 'location');
}

function phone(t: HsdsTables, o: Obj, keys: Obj): void {
  t.add('phones', scalars(o, keys));
  for (const x of each(o.languages)) t.add('languages', scalars(x, { phone_id: o.id }));
}

function contact(t: HsdsTables, o: Obj, keys: Obj): void {
  t.add('contacts', scalars(o, keys));
  for (const x of each(o.phones)) phone(t, x, { contact_id: o.id });
}

function attribute(t: HsdsTables, o: Obj, linkId: string, entity: string): void {
  const term = isObj(o.taxonomy_term) ? o.taxonomy_term : undefined;
  t.add(
    'attributes',
    scalars(o, {
      link_id: o.link_id ?? linkId,
      link_entity: entity,
      taxonomy_term_id: o.taxonomy_term_id ?? term?.id,
    }),
  );
  if (term) taxonomyTerm(t, term);
}

function taxonomyTerm(t: HsdsTables, o: Obj): void {
  const detail = isObj(o.taxonomy_detail) ? o.taxonomy_detail : undefined;
  t.add('taxonomy_terms', scalars(o, { taxonomy_id: o.taxonomy_id ?? detail?.id }));
  if (detail) t.add('taxonomies', scalars(detail));
}
