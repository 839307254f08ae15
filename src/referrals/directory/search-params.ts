import { indexSearchParameter } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { searchParamInfo, searchParamsFor } from '../../fhir/definitions';
import { FhirError } from '../../fhir/errors';
import { registerSpecialSearch } from '../../store/search/special';
import type { SqlParams } from '../../store/search/params';
import type { SearchFilter } from '../../store';
import { EXT_ACCEPTS_REFERRALS, KITH } from './extensions';
import { effectiveAcceptsSql } from './on-kith';

/**
 * Search parameters R4 lacks for a directory: language, eligibility, accepting referrals, and one
 * text parameter over the names and descriptions. They are indexed like core parameters.
 */
export const directorySearchParameters: SearchParameter[] = [
  param(
    'language',
    'token',
    'HealthcareService.communication',
    'Language the service is offered in (BCP-47)',
  ),
  param('eligibility', 'token', 'HealthcareService.eligibility.code', 'Eligibility kind (code or text)'),
  // Served from directory_service (special): true when the service takes electronic referrals now,
  // its own flag or Endpoint, or its organization working on Kith (see on-kith.ts).
  param(
    'accepts-referrals',
    'special',
    `HealthcareService.extension.where(url = '${EXT_ACCEPTS_REFERRALS}').value`,
    'true when the service takes electronic referrals (its flag or Endpoint, or its organization works on Kith)',
  ),
  param(
    'keyword',
    'string',
    'HealthcareService.name | HealthcareService.comment | HealthcareService.extraDetails | HealthcareService.category.text | HealthcareService.category.coding.display | HealthcareService.type.text | HealthcareService.type.coding.display',
    'Words in the name, description, category or type',
  ),
];

function param(
  code: string,
  type: 'token' | 'string' | 'special',
  expression: string,
  description: string,
): SearchParameter {
  return {
    resourceType: 'SearchParameter',
    id: `HealthcareService-${code}`,
    url: `${KITH}/fhir/SearchParameter/HealthcareService-${code}`,
    name: code,
    status: 'active',
    description,
    code,
    base: ['HealthcareService'],
    type,
    expression,
  };
}

/** `HealthcareService?accepts-referrals=true|false` (`:not` negates): ids from `directory_service`. */
export function acceptsReferralsIds(
  _resourceType: string,
  filter: Extract<SearchFilter, { kind: 'param' }>,
  p: SqlParams,
): { sql: string; negate: boolean } {
  const wanted = new Set(
    filter.values.map((v) => {
      const x = v.replace(/^.*\|/, '').toLowerCase();
      if (x !== 'true' && x !== 'false')
        throw new FhirError(
          'invalid_search',
          `accepts-referrals must be true or false, not '${v}'`,
          'accepts-referrals',
        );
      return x === 'true';
    }),
  );
  const cond = wanted.size === 2 ? 'true' : `${effectiveAcceptsSql('s')} = ${p.add([...wanted][0])}::boolean`;
  return { sql: `select s.id from directory_service s where ${cond}`, negate: filter.modifier === 'not' };
}

/**
 * Adds the parameters to the FHIR definitions. The parameter map of a type is built once and
 * cached, so each parameter is also put into that cached map (idempotent).
 */
export function registerDirectorySearchParameters(): void {
  for (const sp of directorySearchParameters) {
    const map = searchParamsFor('HealthcareService');
    if (map.has(sp.code as string)) continue;
    indexSearchParameter(sp);
    map.set(sp.code as string, searchParamInfo('HealthcareService', sp.code as string, sp));
  }
  registerSpecialSearch('HealthcareService', 'accepts-referrals', acceptsReferralsIds);
}
