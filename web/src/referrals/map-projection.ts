import type { Point } from './directory-query';

/**
 * A flat projection for the directory map: over the few miles a directory search spans,
 * equirectangular with longitude scaled by cos(latitude) keeps distances true to a few percent,
 * so a scale bar can be drawn. No tiles: the map is the results' own coordinates.
 */
export interface Projection {
  /** SVG x, y of a point. */
  project(p: Point): { x: number; y: number };
  /** A round distance in miles and its length in SVG units, for the scale bar. */
  scale: { miles: number; length: number };
}

const KM_PER_DEGREE = 111.32;
const KM_PER_MILE = 1.609344;

export function fitProjection(points: Point[], width: number, height: number, pad = 24): Projection {
  const lats = points.map((p) => p.lat);
  const longs = points.map((p) => p.long);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const midLong = (Math.min(...longs) + Math.max(...longs)) / 2;
  const cos = Math.cos((midLat * Math.PI) / 180);
  // Kilometres east and north of the middle.
  const xy = (p: Point) => ({
    e: (p.long - midLong) * KM_PER_DEGREE * cos,
    n: (p.lat - midLat) * KM_PER_DEGREE,
  });
  const spanE = Math.max(...points.map((p) => Math.abs(xy(p).e))) * 2;
  const spanN = Math.max(...points.map((p) => Math.abs(xy(p).n))) * 2;
  // At least a mile across, so one result (or results in one building) still gets a sensible scale.
  const span = Math.max(
    spanE / (width - 2 * pad),
    spanN / (height - 2 * pad),
    KM_PER_MILE / (width - 2 * pad),
  );
  const unitsPerKm = 1 / span;
  const project = (p: Point) => {
    const { e, n } = xy(p);
    return { x: width / 2 + e * unitsPerKm, y: height / 2 - n * unitsPerKm };
  };
  // The largest 1, 2 or 5 × 10^k miles that fits a quarter of the width.
  const maxMiles = width / 4 / unitsPerKm / KM_PER_MILE;
  const k = Math.floor(Math.log10(maxMiles));
  let miles = 10 ** k;
  for (const m of [5, 2, 1]) {
    if (m * 10 ** k <= maxMiles) {
      miles = m * 10 ** k;
      break;
    }
  }
  return { project, scale: { miles, length: miles * KM_PER_MILE * unitsPerKm } };
}

export function kmToMiles(km: number): number {
  return km / KM_PER_MILE;
}
