import { getSearchParameterDetails, indexSearchParameter } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { searchParamsFor } from '../../fhir/definitions';
import { EXT_ACCEPTS_REFERRALS, KITH } from './extensions';

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
  param(
    'accepts-referrals',
    'token',
    `HealthcareService.extension.where(url = '${EXT_ACCEPTS_REFERRALS}').value`,
    'true when the service takes electronic referrals',
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
  type: 'token' | 'string',
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

/**
 * Adds the parameters to the FHIR definitions. The parameter map of a type is built once and
 * cached, so each parameter is also put into that cached map (idempotent).
 */
export function registerDirectorySearchParameters(): void {
  for (const sp of directorySearchParameters) {
    const map = searchParamsFor('HealthcareService');
    if (map.has(sp.code as string)) continue;
    indexSearchParameter(sp);
    map.set(sp.code as string, {
      code: sp.code as string,
      param: sp,
      details: getSearchParameterDetails('HealthcareService', sp),
    });
  }
}
