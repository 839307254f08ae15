/**
 * The access policy wired into the store: labels on every write, consent grants, and the policy
 * plus audit on every read, search, history and write of a caller-bound store. See README.md.
 */
import '../../audit';

export { installPrivacy } from './install';
export { PolicyGuard } from './guard';
export { backfillAccessColumns } from './backfill';
export { labelForWrite, PART2_PROGRAM_EXTENSION } from './write-labels';
export { linkedPatients } from './linked-patients';
