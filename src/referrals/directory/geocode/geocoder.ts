import {
  normalizeCity,
  normalizePostalCode,
  normalizeState,
  standardizeAddress,
} from '../../../identity/normalize/address';

/**
 * How exactly a place was located, best first: a coordinate pair as typed, a street address, the
 * middle of a ZIP code, the middle of a city. The directory says which one it used.
 */
export type GeocodePrecision = 'point' | 'address' | 'zip' | 'city';

/** Where a located point came from: typed coordinates, the directory's own Locations, or the Census Geocoder. */
export type GeocodeSource = 'input' | 'directory' | 'census';

export interface GeocodeResult {
  lat: number;
  lon: number;
  precision: GeocodePrecision;
  source: GeocodeSource;
  /** What was matched, in words ("300 HARBOR WAY, ALDER, CA 95501", "ZIP code 95501"). */
  matched: string;
}

/** Turns free text ("300 Harbor Way, Alder, CA 95501") into a point, or undefined when it cannot. */
export interface Geocoder {
  /** Short name for logs and the response ("directory", "census"). */
  readonly name: string;
  geocode(text: string, signal?: AbortSignal): Promise<GeocodeResult | undefined>;
}

/** A free-text US address split into the parts the geocoders compare. */
export interface ParsedAddress {
  /** The text as typed, trimmed. */
  text: string;
  /** House number, "" when none. */
  number: string;
  /**
   * Standardized street lines ("300 HARBOR WAY") the text may start with: the first comma part, or
   * without commas each leading run of words (the city follows the street with no separator).
   */
  lines: string[];
  city: string;
  state: string;
  zip: string;
}

/** "lat, long" (comma or space between) as a point on Earth, else undefined. */
export function parseLatLong(text: string): { lat: number; lon: number } | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return undefined;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  // "95501 12" is not a coordinate pair: whole numbers out of range were refused; require a decimal point in one.
  if (!m[1].includes('.') && !m[2].includes('.')) return undefined;
  return { lat, lon };
}

export function parseAddress(raw: string): ParsedAddress {
  const text = raw.trim();
  let rest = text;
  // ZIP (or ZIP+4) at the end, and a state just before it.
  let zip = '';
  const zipMatch = /[\s,]*\b(\d{5})(?:-\d{4})?\s*$/.exec(rest);
  if (zipMatch && zipMatch.index > 0) {
    zip = normalizePostalCode(zipMatch[1]);
    rest = rest.slice(0, zipMatch.index);
  } else if (/^\s*\d{5}(?:-\d{4})?\s*$/.test(rest)) {
    return { text, number: '', lines: [], city: '', state: '', zip: normalizePostalCode(rest) };
  }
  let state = '';
  const stateMatch = /[\s,]+([A-Za-z]{2})\s*,?\s*$/.exec(rest);
  if (stateMatch && normalizeState(stateMatch[1]).length === 2 && rest.includes(',')) {
    state = normalizeState(stateMatch[1]);
    rest = rest.slice(0, stateMatch.index);
  }
  const parts = rest
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let city = '';
  const lines = new Set<string>();
  if (parts.length > 1) {
    city = normalizeCity(parts[parts.length - 1]);
    const line = standardizeAddress(parts[0]).line;
    if (line) lines.add(line);
  } else if (parts.length === 1) {
    // No commas: the street is some leading run of words, the city what follows.
    const words = parts[0].split(/\s+/);
    for (let k = words.length; k >= 2; k--) {
      const line = standardizeAddress(words.slice(0, k).join(' ')).line;
      if (line) lines.add(line);
    }
    if (!/^\d/.test(parts[0])) city = normalizeCity(parts[0]);
  }
  const number = [...lines].map((l) => standardizeAddress(l).number).find(Boolean) ?? '';
  return { text, number, lines: number ? [...lines] : [], city, state, zip };
}

export interface Located {
  result?: GeocodeResult;
  /** Geocoders that failed on the way (an outside service down, timed out): said, not fatal. */
  notes: string[];
}

/**
 * Several geocoders tried in turn, each at the precision it is good for: typed coordinates are used
 * as they are; the first answer at `address` precision wins; else the best coarser answer (zip
 * before city) of any of them. A geocoder that fails is noted and skipped.
 */
export class ChainGeocoder implements Geocoder {
  readonly name: string;
  constructor(private readonly geocoders: Geocoder[]) {
    this.name = geocoders.map((g) => g.name).join('+');
  }

  async geocode(text: string, signal?: AbortSignal): Promise<GeocodeResult | undefined> {
    return (await this.locate(text, signal)).result;
  }

  async locate(text: string, signal?: AbortSignal): Promise<Located> {
    const notes: string[] = [];
    const point = parseLatLong(text);
    if (point)
      return {
        result: { ...point, precision: 'point', source: 'input', matched: `${point.lat}, ${point.lon}` },
        notes,
      };
    const rank: Record<GeocodePrecision, number> = { point: 0, address: 1, zip: 2, city: 3 };
    let best: GeocodeResult | undefined;
    for (const g of this.geocoders) {
      let r: GeocodeResult | undefined;
      try {
        r = await g.geocode(text, signal);
      } catch (e) {
        if (signal?.aborted) throw e;
        notes.push(`${g.name}: ${(e as Error).message}`);
        continue;
      }
      if (!r) continue;
      if (r.precision === 'address' || r.precision === 'point') return { result: r, notes };
      if (!best || rank[r.precision] < rank[best.precision]) best = r;
    }
    return { result: best, notes };
  }
}
