/**
 * Alder County: a fictional county in California's Sacramento Valley. Towns, ZIP codes, street names
 * and coordinates are made up for the demo (coordinates fall in an inland valley, roughly 39.0–39.4 N).
 */
import type { Random } from './random';

export interface Town {
  name: string;
  zips: string[];
  lat: number;
  lng: number;
  /** Share of the county's residents. */
  weight: number;
}

export const COUNTY = { name: 'Alder County', state: 'CA', seat: 'Alderton' } as const;

export const TOWNS: Town[] = [
  { name: 'Alderton', zips: ['95990', '95991'], lat: 39.141, lng: -121.618, weight: 40 },
  { name: 'Millbrook', zips: ['95993'], lat: 39.208, lng: -121.552, weight: 18 },
  { name: 'Riverbend', zips: ['95994'], lat: 39.052, lng: -121.702, weight: 16 },
  { name: 'Cedar Falls', zips: ['95996'], lat: 39.298, lng: -121.477, weight: 12 },
  { name: 'Esperanza', zips: ['95997'], lat: 39.101, lng: -121.521, weight: 9 },
  { name: 'Pine Hollow', zips: ['95999'], lat: 39.361, lng: -121.351, weight: 5 },
];

export function town(name: string): Town {
  const t = TOWNS.find((x) => x.name === name);
  if (!t) throw new Error(`unknown town ${name}`);
  return t;
}

const STREET_NAMES =
  `Alder, Oak, Maple, Cedar, Walnut, Sycamore, Willow, Laurel, Magnolia, Juniper, Poplar, Cypress,
  Orchard, Mill, River, Canal, Levee, Mission, Sutter, Feather, Bridge, Main, Church, School, Market, Lincoln,
  Washington, Jefferson, Franklin, Grant, Madison, Monroe, Adams, Colusa, Plumas, Vista, Sierra, Meadow, Harvest,
  Almond, Peach, Olive, Prune, Live Oak, Garden, Sunset, Hillcrest, Valley, Ridge, Shasta, Lassen, Pioneer,
  Railroad, Depot, Stockton, Esperanza, Cesar Chavez, Dolores, Alameda, Hidalgo`
    .split(',')
    .map((s) => s.trim());

const STREET_TYPES: readonly (readonly [full: string, abbr: string])[] = [
  ['Street', 'St'],
  ['Avenue', 'Ave'],
  ['Road', 'Rd'],
  ['Drive', 'Dr'],
  ['Lane', 'Ln'],
  ['Court', 'Ct'],
  ['Way', 'Way'],
  ['Boulevard', 'Blvd'],
];

export interface StreetAddress {
  number: number;
  street: string;
  type: number;
  unit?: string;
  town: Town;
  zip: string;
}

export function randomAddress(rng: Random, inTown?: Town): StreetAddress {
  const t = inTown ?? rng.weighted(TOWNS.map((x) => [x, x.weight] as const));
  const address: StreetAddress = {
    number: rng.int(100, 9899),
    street: rng.pick(STREET_NAMES),
    type: rng.int(0, STREET_TYPES.length - 1),
    town: t,
    zip: rng.pick(t.zips),
  };
  if (rng.chance(0.35))
    address.unit = rng.chance(0.7)
      ? String(rng.int(1, 40))
      : `${rng.int(1, 3)}${rng.pick(['A', 'B', 'C', 'D'])}`;
  return address;
}

/** The street line, written the way a given source tends to write it. */
export function streetLine(
  a: StreetAddress,
  style: 'full' | 'abbr' | 'upper' = 'abbr',
  withUnit = true,
): string {
  const [full, abbr] = STREET_TYPES[a.type];
  let line = `${a.number} ${a.street} ${style === 'full' ? full : abbr}`;
  if (a.unit && withUnit) line += style === 'full' ? ` Apt ${a.unit}` : ` #${a.unit}`;
  return style === 'upper' ? line.toUpperCase() : line;
}

/** A point near a town centre (about ±2 km), rounded to 5 decimals. */
export function nearTown(rng: Random, t: Town): { latitude: number; longitude: number } {
  const round = (x: number) => Math.round(x * 1e5) / 1e5;
  return {
    latitude: round(t.lat + (rng.next() - 0.5) * 0.036),
    longitude: round(t.lng + (rng.next() - 0.5) * 0.046),
  };
}

/**
 * People's phone numbers use the 555-01xx range reserved for fiction, in the region's area codes.
 * Organizations use area code 530; people get the others, so no person shares an organization's number.
 */
export const PERSON_AREA_CODES = ['916', '707', '209', '559', '661', '760', '805', '831'];

export function personPhone(index: number): string {
  const area = PERSON_AREA_CODES[Math.floor(index / 100) % PERSON_AREA_CODES.length];
  return `(${area}) 555-01${String(index % 100).padStart(2, '0')}`;
}
