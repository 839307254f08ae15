import type { Location } from '@medplum/fhirtypes';
import type { FhirClient } from '../fhir/client';
import { parsePoint, type Point } from './directory-query';
import { locationPoint } from './directory-results';

/** Where a "near" text points, and how it was found, for the page to say. */
export interface Place {
  point: Point;
  how: string;
}

/**
 * Turns "near" into a point without any outside service: a "latitude, longitude" pair as is; else
 * the middle of the directory's own Locations at that ZIP code, or else at that address or city.
 * Undefined when nothing in the directory is there.
 */
export async function locate(
  client: FhirClient,
  text: string,
  signal?: AbortSignal,
): Promise<Place | undefined> {
  const point = parsePoint(text);
  if (point) return { point, how: `the point ${point.lat}, ${point.long}` };
  const zip = /\b(\d{5})(?:-\d{4})?\b/.exec(text)?.[1];
  const tries: [Record<string, string>, string][] = [];
  if (zip) tries.push([{ 'address-postalcode': zip }, `ZIP code ${zip}`]);
  tries.push([{ address: text.trim() }, `“${text.trim()}”`]);
  const city = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (city.length > 1)
    tries.push([
      { 'address-city': city[city.length - 2].replace(/\d+/g, '').trim() || city[0] },
      city[city.length - 2],
    ]);
  for (const [params, what] of tries) {
    const bundle = await client.search<Location>('Location', { ...params, _count: 100 }, signal);
    const points = (bundle.entry ?? [])
      .map((e) => (e.resource ? locationPoint(e.resource) : undefined))
      .filter((p): p is Point => !!p);
    if (points.length) {
      const lat = points.reduce((s, p) => s + p.lat, 0) / points.length;
      const long = points.reduce((s, p) => s + p.long, 0) / points.length;
      return { point: { lat, long }, how: `the directory's places at ${what}` };
    }
  }
  return undefined;
}
