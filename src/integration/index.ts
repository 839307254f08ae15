/**
 * Kith integration: pure parsing and mapping of source data to FHIR R4, with no database and no
 * network. Channels (MLLP, file inbox, REST push) and the pipeline (store raw → map → identity →
 * commit → ACK, dead letters) call into this module.
 *
 * HL7 v2:   processHl7(text) → { result, issues, ackCode }; buildAck(parsed, code, issues) after commit.
 *           splitHl7Batch(file) for FHS/BHS batches and multi-message files.
 * HMIS CSV: mapHmisExport(await readHmisFolder(dir)).
 * Extracts: mapEligibilityExtract(csv), mapWicExtract(csv), mapJailExtract(csv).
 * Every result: resources with natural keys and conditional URLs (toTransactionBundle makes a FHIR
 * transaction of them), merge instructions for identity resolution, and issues with exact locations.
 */
export {
  parseHl7,
  splitHl7Batch,
  normalizeHl7,
  validateHl7,
  ackCodeFor,
  buildAck,
  mapHl7Message,
  processHl7,
  ADT_EVENTS,
  SUPPORTED_EVENTS,
  Segment,
  type AckCode,
  type AckOptions,
  type Hl7Batch,
  type Hl7BatchMessage,
  type Hl7Header,
  type Hl7MappingOptions,
  type Hl7Outcome,
  type ParsedHl7,
} from './hl7v2';
export {
  mapHmisExport,
  readHmisFolder,
  readHmisExport,
  readHmisZip,
  HMIS_FILES,
  type HmisFiles,
  type HmisOptions,
  type HmisResult,
  type ExportInfo,
} from './hmis';
export {
  mapEligibilityExtract,
  mapWicExtract,
  mapJailExtract,
  RELEASE_REASONS,
  MEDI_CAL_CIN,
  CA_CII,
  type ExtractOptions,
} from './layouts';
export { readCsv, type CsvRow, type CsvSpec, type CsvTable } from './csv/read';
export { RowReader } from './csv/row';
export { toTransactionBundle } from './bundle';
export {
  combineResults,
  type MappedResource,
  type MappingResult,
  type MergeInstruction,
  type Origin,
} from './result';
export { conditionalUrl, naturalKey, fullUrlFor } from './keys';
export { LABELS } from './labels';
export {
  HL7_ERROR,
  HL7_ERROR_TEXT,
  hasErrors,
  hl7Issue,
  rowIssue,
  type Hl7ErrorCode,
  type Hl7Issue,
  type Issue,
  type RowIssue,
  type Severity,
} from './issues';
export { parseHl7DateTime, parseCsvDate, parseCsvDateTime, DEFAULT_TIME_ZONE } from './time';
export type * from './fhir/types';
