// The online master person index. Importing it registers its tables' migrations and FHIR operations.
import './migrations';
import './match-operation';
import './op-link';
import './op-unlink';
import './op-merge';
import './op-split';
import './op-not-same';
import './op-undo';
import './op-review';

export { installIdentity, identityContext, type IdentityOptions } from './install';
export { patientToMatchRecord } from './patient-record';
export { buildPerson, survive, GOLDEN_SOURCE_URL } from './golden';
export type { Assurance, LinkRow } from './core';
export {
  linkPatient,
  unlinkPatient,
  mergePersons,
  splitPerson,
  markNotSame,
  listReviews,
  decideReview,
  undoAction,
  type ActionResult,
  type ReviewTask,
} from './actions';
