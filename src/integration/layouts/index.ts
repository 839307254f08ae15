export {
  mapEligibilityExtract,
  ELIGIBILITY_PROGRAMS,
  ELIGIBILITY_SPEC,
  EXTRACT_STATUSES,
  MEDI_CAL_CIN,
} from './eligibility';
export { mapWicExtract, WIC_CATEGORIES, WIC_SPEC } from './wic';
export { mapJailExtract, JAIL_SPEC, RELEASE_REASONS, CA_CII } from './jail';
export type { ExtractOptions } from './extract';
