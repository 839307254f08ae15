import { parseAddress, type GeocodeResult, type Geocoder } from './geocoder';

export interface CensusGeocoderOptions {
  /** Base URL of the geocoder, up to `/geocoder` (`https://geocoding.geo.census.gov/geocoder`). */
  baseUrl: string;
  /** Census benchmark (address ranges release); default `Public_AR_Current`. */
  benchmark?: string;
  /** Give up after this many milliseconds (default 5000): the directory then falls back to ZIP code. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The parts of a Census Geocoder `locations/onelineaddress` answer this adapter reads. */
interface CensusResponse {
  result?: {
    addressMatches?: {
      matchedAddress?: string;
      coordinates?: { x?: number; y?: number };
    }[];
  };
  errors?: string[];
}

/** A failure of an outside geocoder (unreachable, timed out, an error answer): the caller falls back. */
export class GeocoderUnavailable extends Error {}

/**
 * The US Census Bureau Geocoder (`GET <base>/locations/onelineaddress?address=…&benchmark=…&format=json`;
 * the answer's `addressMatches[].coordinates` are x = longitude, y = latitude). Asked only for text
 * with a house number (a bare ZIP code or city it does not locate). Off unless configured
 * (`KITH_GEOCODER_URL`): the address typed leaves the server only when the deployment chooses this.
 */
export class CensusGeocoder implements Geocoder {
  readonly name = 'census';
  private readonly fetch: typeof fetch;
  constructor(private readonly opts: CensusGeocoderOptions) {
    this.fetch = opts.fetch ?? fetch;
  }

  async geocode(text: string, signal?: AbortSignal): Promise<GeocodeResult | undefined> {
    const a = parseAddress(text);
    if (!a.number) return undefined;
    const url = new URL(`${this.opts.baseUrl.replace(/\/+$/, '')}/locations/onelineaddress`);
    url.searchParams.set('address', a.text);
    url.searchParams.set('benchmark', this.opts.benchmark ?? 'Public_AR_Current');
    url.searchParams.set('format', 'json');
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 5000);
    let body: CensusResponse;
    try {
      const res = await this.fetch(url, {
        headers: { accept: 'application/json' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      body = (await res.json().catch(() => ({}))) as CensusResponse;
      if (!res.ok)
        throw new GeocoderUnavailable(
          `the Census Geocoder answered ${res.status}${body.errors?.length ? `: ${body.errors.join('; ')}` : ''}`,
        );
    } catch (e) {
      if (e instanceof GeocoderUnavailable) throw e;
      throw new GeocoderUnavailable(`the Census Geocoder could not be reached (${(e as Error).message})`);
    }
    const match = body.result?.addressMatches?.find(
      (m) => typeof m.coordinates?.x === 'number' && typeof m.coordinates?.y === 'number',
    );
    if (!match) return undefined;
    const lon = match.coordinates?.x as number;
    const lat = match.coordinates?.y as number;
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
    return { lat, lon, precision: 'address', source: 'census', matched: match.matchedAddress ?? a.text };
  }
}

/** The Census geocoder when `KITH_GEOCODER_URL` is set, else none. */
export function censusGeocoderFromEnv(env: NodeJS.ProcessEnv = process.env): CensusGeocoder | undefined {
  const baseUrl = env.KITH_GEOCODER_URL?.trim();
  if (!baseUrl) return undefined;
  const timeout = Number(env.KITH_GEOCODER_TIMEOUT_MS ?? 5000);
  return new CensusGeocoder({
    baseUrl,
    benchmark: env.KITH_GEOCODER_BENCHMARK || undefined,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 5000,
  });
}
