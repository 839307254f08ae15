/** The person search's criteria: read from the page URL, checked, and turned into FHIR search parameters. */

export const PAGE_SIZE = 20;

export interface SearchCriteria {
  name: string;
  birthdate: string;
  identifier: string;
  offset: number;
}

export function criteriaFromQuery(query: URLSearchParams): SearchCriteria {
  const offset = Number(query.get('offset') ?? 0);
  return {
    name: query.get('name')?.trim() ?? '',
    birthdate: query.get('birthdate')?.trim() ?? '',
    identifier: query.get('identifier')?.trim() ?? '',
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

export function hasCriteria(c: Omit<SearchCriteria, 'offset'>): boolean {
  return Boolean(c.name || c.birthdate || c.identifier);
}

/**
 * A birth date as FHIR wants it (YYYY, YYYY-MM or YYYY-MM-DD) from what people type, including the
 * US form M/D/YYYY. Returns an error message for anything else.
 */
export function normalizeBirthDate(input: string): { value: string } | { error: string } {
  const s = input.trim();
  if (!s) return { value: '' };
  let y: string, m: string | undefined, d: string | undefined;
  const iso = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(s);
  const us = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(s);
  if (iso) [, y, m, d] = iso;
  else if (us) [, m, d, y] = us;
  else
    return {
      error: 'Enter a birth date as YYYY-MM-DD or MM/DD/YYYY (a year, or year and month, also works).',
    };
  const month = m === undefined ? undefined : Number(m);
  if (month !== undefined && (month < 1 || month > 12)) return { error: `There is no month ${m}.` };
  if (d !== undefined) {
    const day = Number(d);
    const daysInMonth = new Date(Date.UTC(Number(y), month!, 0)).getUTCDate();
    if (day < 1 || day > daysInMonth) return { error: `There is no day ${d} in that month.` };
  }
  const pad = (v: string): string => v.padStart(2, '0');
  return { value: [y, m && pad(m), d && pad(d)].filter(Boolean).join('-') };
}

/** FHIR `Patient` search parameters for the criteria; sorted by family then given name for stable paging. */
export function fhirSearchParams(c: SearchCriteria): Record<string, string | number | undefined> {
  return {
    name: c.name || undefined,
    birthdate: c.birthdate || undefined,
    identifier: c.identifier || undefined,
    _sort: 'family,given',
    _count: PAGE_SIZE,
    _offset: c.offset || undefined,
  };
}
