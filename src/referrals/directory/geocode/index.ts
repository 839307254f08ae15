import type { Extension, OperationOutcome } from '@medplum/fhirtypes';
import type { Queryable } from '../../../store';
import { KITH } from '../extensions';
import { censusGeocoderFromEnv } from './census-geocoder';
import { DirectoryGeocoder } from './directory-geocoder';
import { ChainGeocoder, type Located } from './geocoder';

export * from './geocoder';
export { DirectoryGeocoder, locationAddressKey } from './directory-geocoder';
export { CensusGeocoder, censusGeocoderFromEnv, GeocoderUnavailable } from './census-geocoder';

/** OperationOutcome (search.mode `outcome` of `$directory-search`): where the `address` was located, and how exactly. */
export const EXT_GEOCODE = `${KITH}/fhir/StructureDefinition/directory-geocode`;
/** Codes of the precision a place was located at: point, address, zip, city. */
export const CS_GEOCODE_PRECISION = `${KITH}/fhir/CodeSystem/geocode-precision`;

/**
 * The directory's geocoder: the directory's own Locations first; then, when configured
 * (`KITH_GEOCODER_URL`), the Census Geocoder for street addresses no Location shares; then the
 * directory's ZIP code and city middles.
 */
export function directoryGeocoder(db: Queryable, env: NodeJS.ProcessEnv = process.env): ChainGeocoder {
  const census = censusGeocoderFromEnv(env);
  return new ChainGeocoder([new DirectoryGeocoder(db), ...(census ? [census] : [])]);
}

const PRECISION_WORDS = {
  point: 'the coordinates given',
  address: 'street address',
  zip: 'ZIP code (the middle of the directory’s places there)',
  city: 'city (the middle of the directory’s places there)',
} as const;

/** What the search tells the client about its `address`: the point, the precision, the source, or that it was not found. */
export function geocodeOutcome(text: string, located: Located): OperationOutcome {
  const r = located.result;
  const notes = located.notes.map((n) => ({
    severity: 'warning' as const,
    code: 'transient' as const,
    diagnostics: `Geocoder unavailable, fell back: ${n}`,
  }));
  if (!r)
    return {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'warning',
          code: 'not-found',
          diagnostics: `“${text}” could not be located: no place in the directory has that street address, ZIP code or city`,
          expression: ['address'],
        },
        ...notes,
      ],
    };
  const ext: Extension[] = [
    { url: 'precision', valueCode: r.precision },
    { url: 'source', valueCode: r.source },
    { url: 'latitude', valueDecimal: r.lat },
    { url: 'longitude', valueDecimal: r.lon },
    { url: 'matched', valueString: r.matched },
  ];
  return {
    resourceType: 'OperationOutcome',
    extension: [{ url: EXT_GEOCODE, extension: ext }],
    issue: [
      {
        severity: 'information',
        code: 'informational',
        details: {
          coding: [{ system: CS_GEOCODE_PRECISION, code: r.precision }],
          text: `Located by ${PRECISION_WORDS[r.precision]}`,
        },
        diagnostics: `“${text}” located at ${r.precision} precision (${r.source}): ${r.matched}`,
        expression: ['address'],
      },
      ...notes,
    ],
  };
}
