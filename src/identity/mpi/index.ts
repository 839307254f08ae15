// The online master person index. Importing it registers its tables' migrations and FHIR operations.
import './migrations';
import './match-operation';

export { installIdentity, identityContext, type IdentityOptions } from './install';
export { patientToMatchRecord } from './patient-record';
export { DbBlockingIndex } from './db-index';
export { buildPerson, survive, GOLDEN_SOURCE_URL } from './golden';
export type { Assurance, LinkRow } from './core';
