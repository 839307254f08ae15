import type { ConceptMap } from '../types';
import extractProgram from './extract-program.json';
import extractStatus from './extract-status.json';
import hmisDataQuality from './hmis-data-quality.json';
import hmisDestination from './hmis-destination.json';
import hmisLivingSituation from './hmis-living-situation.json';
import hmisNoYes from './hmis-no-yes.json';
import hmisRelationshipToHoh from './hmis-relationship-to-hoh.json';
import hmisSex from './hmis-sex.json';
import v20001AdministrativeGender from './v2-0001-administrative-gender.json';
import v20004EncounterClass from './v2-0004-encounter-class.json';
import v20078ObservationInterpretation from './v2-0078-observation-interpretation.json';
import v20085ObservationStatus from './v2-0085-observation-status.json';
import v20112DischargeDisposition from './v2-0112-discharge-disposition.json';
import v20123DiagnosticReportStatus from './v2-0123-diagnostic-report-status.json';
import v20190Address from './v2-0190-address.json';
import v20201ContactPointUse from './v2-0201-contact-point-use.json';
import v20202ContactPointSystem from './v2-0202-contact-point-system.json';
import wicCategory from './wic-category.json';

/**
 * Every ConceptMap Kith ships, as FHIR R4 JSON. The JSON files are the source of truth; maps.test.ts
 * checks each one against the ConceptMap shape, which is why the cast below is safe.
 */
export const SHIPPED_CONCEPT_MAPS: readonly ConceptMap[] = [
  extractProgram,
  extractStatus,
  hmisDataQuality,
  hmisDestination,
  hmisLivingSituation,
  hmisNoYes,
  hmisRelationshipToHoh,
  hmisSex,
  v20001AdministrativeGender,
  v20004EncounterClass,
  v20078ObservationInterpretation,
  v20085ObservationStatus,
  v20112DischargeDisposition,
  v20123DiagnosticReportStatus,
  v20190Address,
  v20201ContactPointUse,
  v20202ContactPointSystem,
  wicCategory,
] as unknown as ConceptMap[];
