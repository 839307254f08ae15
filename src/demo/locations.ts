/**
 * Places in the county directory: each organization's sites (with coordinates near their town) and
 * the towns themselves as area Locations, which services name as their coverage area.
 */
import type { OrgKey } from './kith';
import { concept, refTo, SYSTEM, type Resource } from './fhir';
import { orgInfo, orgRef } from './organizations';
import { nearTown, TOWNS, town, COUNTY } from './geography';
import { Random } from './random';

interface LocationDef {
  id: string;
  org: OrgKey;
  name: string;
  street: string;
  town: string;
  partOf?: string;
}

type Row = [id: string, org: OrgKey, name: string, street: string, town: string, partOf?: string];

const ROWS: Row[] = [
  ['loc-hhsa', 'hhsa', 'HHSA Administration Building', '1200 Courthouse Way', 'Alderton'],
  ['loc-dss-alderton', 'dss', 'DSS Alderton Office', '455 Sutter Street', 'Alderton'],
  ['loc-dss-millbrook', 'dss', 'DSS Millbrook Office', '82 Main Street', 'Millbrook'],
  ['loc-bh-alderton', 'bh', 'Behavioral Health Recovery Center', '78 Mission Road', 'Alderton'],
  ['loc-wic-millbrook', 'ph', 'WIC Millbrook', '300 Orchard Avenue', 'Millbrook'],
  ['loc-wic-esperanza', 'ph', 'WIC Esperanza', '15 Hidalgo Street', 'Esperanza'],
  ['loc-probation', 'probation', 'Adult Probation Office', '900 Levee Road', 'Riverbend'],
  ['loc-jail', 'probation', 'Alder County Jail', '910 Levee Road', 'Riverbend'],
  ['loc-clinic-alderton', 'clinic', 'Alder Community Health Clinic', '1250 Courthouse Way', 'Alderton'],
  ['loc-clinic-millbrook', 'clinic', 'Millbrook Satellite Clinic', '40 School Street', 'Millbrook'],
  ['loc-hospital', 'hospital', 'Alder Regional Medical Center', '2000 Hillcrest Drive', 'Alderton'],
  [
    'loc-hospital-ed',
    'hospital',
    'ARMC Emergency Department',
    '2000 Hillcrest Drive',
    'Alderton',
    'loc-hospital',
  ],
  ['loc-plan', 'plan', 'Alder Health Plan Member Services', '60 Market Street', 'Alderton'],
  ['loc-food-bank', 'foodbank', 'Alder Valley Food Bank Warehouse and Pantry', '14 Depot Road', 'Riverbend'],
  ['loc-pantry-cedar-falls', 'foodbank', 'Cedar Falls Community Pantry', '7 Church Street', 'Cedar Falls'],
  ['loc-pantry-pine-hollow', 'foodbank', 'Pine Hollow Mobile Pantry', '2 Pioneer Way', 'Pine Hollow'],
  ['loc-shelter', 'shelter', 'Hope Harbor Shelter', '221 Canal Street', 'Alderton'],
  ['loc-legal-aid', 'legalAid', 'Alder Legal Aid Society', '37 Franklin Avenue', 'Millbrook'],
];

export const LOCATIONS: LocationDef[] = ROWS.map(([id, org, name, street, townName, partOf]) => ({
  id,
  org,
  name,
  street,
  town: townName,
  ...(partOf ? { partOf } : {}),
}));

export const areaId = (townName: string) => `area-${townName.toLowerCase().replace(/\s+/g, '-')}`;

function locationResource(def: LocationDef, rng: Random, positions: Map<string, Position>): Resource {
  const t = town(def.town);
  const info = orgInfo(def.org);
  const sameSite = def.partOf ? LOCATIONS.find((l) => l.id === def.partOf) : undefined;
  const position = sameSite ? positions.get(sameSite.id) : nearTown(rng, t);
  if (position) positions.set(def.id, position);
  return {
    resourceType: 'Location',
    id: def.id,
    status: 'active',
    name: def.name,
    mode: 'instance',
    physicalType: def.partOf
      ? concept(SYSTEM.locationPhysicalType, 'wi', 'Wing')
      : concept(SYSTEM.locationPhysicalType, 'bu', 'Building'),
    telecom: [{ system: 'phone', value: info.phone, use: 'work' }],
    address: {
      use: 'work',
      type: 'physical',
      line: [def.street],
      city: def.town,
      district: COUNTY.name,
      state: 'CA',
      postalCode: t.zips[0],
      country: 'US',
    },
    position,
    managingOrganization: orgRef(def.org),
    ...(def.partOf ? { partOf: refTo('Location', def.partOf) } : {}),
  };
}

type Position = { latitude: number; longitude: number };

/** Towns as area Locations, so services can state their coverage area. */
function areaResource(t: (typeof TOWNS)[number]): Resource {
  return {
    resourceType: 'Location',
    id: areaId(t.name),
    status: 'active',
    name: `${t.name}, ${COUNTY.name}`,
    mode: 'kind',
    physicalType: concept(SYSTEM.locationPhysicalType, 'area', 'Area'),
    address: { city: t.name, district: COUNTY.name, state: 'CA', postalCode: t.zips[0], country: 'US' },
    position: { latitude: t.lat, longitude: t.lng },
  };
}

/** The directory's places; they do not depend on the demo seed (the same coordinates on every run). */
export function locationResources(): Resource[] {
  const rng = new Random(0x41d3);
  const positions = new Map<string, Position>();
  return [...TOWNS.map(areaResource), ...LOCATIONS.map((def) => locationResource(def, rng, positions))];
}
