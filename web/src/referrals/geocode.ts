import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import type { Point } from './directory-query';

const EXT_GEOCODE = 'https://kith.example.org/fhir/StructureDefinition/directory-geocode';

export type Precision = 'point' | 'address' | 'zip' | 'city';

/** Where the server located the "near" text, and how exactly, for the page to say. */
export interface Place {
  point: Point;
  precision: Precision;
  /** directory (its own Locations), census (the Census Geocoder) or input (typed coordinates). */
  source: string;
  /** What was matched: "300 HARBOR WAY, ALDER, CA 95501", "ZIP code 95501". */
  matched: string;
}

export interface Located {
  place?: Place;
  /** The server could not locate the text. */
  notFound: boolean;
  /** Warnings on the way (an outside geocoder down, so a coarser precision was used). */
  warnings: string[];
}

/** Reads the outcome entry `$directory-search` adds when asked for an `address`. */
export function locatedFrom(bundle: Bundle): Located | undefined {
  const outcome = bundle.entry?.find((e) => e.search?.mode === 'outcome')?.resource as
    OperationOutcome | undefined;
  if (outcome?.resourceType !== 'OperationOutcome') return undefined;
  const warnings = outcome.issue
    .filter((i) => i.severity === 'warning' && i.code !== 'not-found')
    .map((i) => i.diagnostics ?? '')
    .filter(Boolean);
  const parts = outcome.extension?.find((e) => e.url === EXT_GEOCODE)?.extension;
  if (!parts) return { notFound: true, warnings };
  const get = (url: string) => parts.find((e) => e.url === url);
  const lat = get('latitude')?.valueDecimal;
  const long = get('longitude')?.valueDecimal;
  const precision = get('precision')?.valueCode as Precision | undefined;
  if (typeof lat !== 'number' || typeof long !== 'number' || !precision) return { notFound: true, warnings };
  return {
    place: {
      point: { lat, long },
      precision,
      source: get('source')?.valueCode ?? '',
      matched: get('matched')?.valueString ?? '',
    },
    notFound: false,
    warnings,
  };
}

const PRECISION_TEXT: Record<Precision, string> = {
  point: 'the coordinates given',
  address: 'street address',
  zip: 'ZIP code only (the middle of the directory’s places there)',
  city: 'city only (the middle of the directory’s places there)',
};

/** "Located by street address (Census Geocoder)", for the results line. */
export function precisionText(place: Place): string {
  const by =
    place.source === 'census'
      ? ' (US Census Geocoder)'
      : place.source === 'directory'
        ? ' (from the directory’s own places)'
        : '';
  return `Located by ${PRECISION_TEXT[place.precision]}${place.precision === 'point' ? '' : by}`;
}
