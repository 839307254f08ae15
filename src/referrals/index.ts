import type { FastifyInstance } from 'fastify';
import './migrations';
import { migrate } from '../store';
import { registerOperation } from '../fhir/operations';
import type { Kith } from '../server/open';
import { indexDirectoryService, reindexDirectory } from './directory/directory-index';
import { indexOrganizationOnKith, refreshAllOnKith, unindexOrganizationOnKith } from './directory/on-kith';
import { repairImportedAcceptsFlags } from './directory/accepts-flag-repair';
import { indexLocationPosition, registerLocationNear } from './directory/location-near';
import { registerDirectorySearchParameters } from './directory/search-params';
import { directorySearchOperation } from './operations/directory-search';
import { forwardOperation } from './operations/forward';
import {
  referralLinkOperation,
  referralLinksOperation,
  revokeReferralLinkOperation,
} from './operations/referral-link';
import { referralMetricsOperation } from './operations/referral-metrics';
import { referralLinkRoutes } from './routes';
import { notifyRuntime } from '../notify';
import { scheduleHsdsPull } from './directory/hsds/pull';
import { indexReferral } from './workflow/referral-index';
import { enforceReferralRules } from './workflow/task-rules';

export { referralMigrations } from './migrations';
export * from './directory/extensions';
export { parseNear, distanceKm, type NearQuery } from './directory/geo';
export { isOpenAt, minuteOfWeek, openIntervals, directoryTimeZone } from './directory/open-hours';
export {
  searchDirectory,
  directoryQueryFrom,
  directoryBundle,
  type DirectoryQuery,
  type DirectoryResult,
  type DirectoryHit,
} from './directory/directory-search';
export { reindexDirectory } from './directory/directory-index';
export {
  directoryGeocoder,
  geocodeOutcome,
  parseAddress,
  parseLatLong,
  ChainGeocoder,
  DirectoryGeocoder,
  CensusGeocoder,
  censusGeocoderFromEnv,
  GeocoderUnavailable,
  EXT_GEOCODE,
  CS_GEOCODE_PRECISION,
  type Geocoder,
  type GeocodeResult,
  type GeocodePrecision,
  type GeocodeSource,
  type Located,
} from './directory/geocode';
export { directorySearchParameters } from './directory/search-params';
export { repairImportedAcceptsFlags, ACCEPTS_FLAG_REPAIR } from './directory/accepts-flag-repair';
export { organizationOnKith, refreshOrganizationsOnKith, effectiveAcceptsSql } from './directory/on-kith';
export {
  importHsdsPath,
  importHsdsUnits,
  readHsdsPath,
  jsonUnit,
  emptySummary,
  type HsdsImportSummary,
  type HsdsUnit,
} from './directory/hsds/import';
export { mapDirectory } from './directory/hsds/to-fhir';
export { readHsdsJson } from './directory/hsds/read-json';
export { readHsdsCsvFolder } from './directory/hsds/read-csv';
export { pullHsdsApi, scheduleHsdsPull, HSDS_PULL_JOB } from './directory/hsds/pull';
export * from './workflow/state-machine';
export { isReferralTask, hasOutcome } from './workflow/referral-task';
export { partyOf, taskParties, organizationOf } from './workflow/parties';
export { forwardReferral, type ForwardOptions } from './workflow/intermediary';
export {
  createReferralLink,
  verifyReferralLink,
  revokeReferralLink,
  listReferralLinks,
  revokeLinkOfReferral,
  type IssuedLink,
  referralLinkView,
  updateViaLink,
  type LinkClaims,
  type LinkUpdate,
} from './workflow/link';
export {
  referralMetrics,
  type ReferralMetrics,
  type MetricsGroup,
  type MetricsFilter,
} from './workflow/metrics';
export { referralCategory } from './workflow/referral-index';

const installed = new WeakSet<Kith>();
const routed = new WeakSet<FastifyInstance>();

/**
 * Installs the referrals capability on an open Kith: its tables, the directory search parameters
 * and Location `near`, the hooks (referral state machine before each write; directory and
 * referral indexes and the in-app message after), and the operations `$directory-search`,
 * `$referral-metrics`, `Task/$forward`, `Task/$referral-link`. With the HTTP app, the
 * `/referral-link/:token` routes. Safe to call twice.
 */
export async function installReferrals(kith: Kith, app?: FastifyInstance): Promise<void> {
  if (!installed.has(kith)) {
    installed.add(kith);
    await migrate(kith.db);
    registerDirectorySearchParameters();
    registerLocationNear();
    kith.store.addBeforeWriteHook(enforceReferralRules);
    kith.store.addAfterWriteHook(indexLocationPosition);
    kith.store.addAfterWriteHook(indexDirectoryService);
    kith.store.addAfterWriteHook(indexOrganizationOnKith);
    kith.store.addAfterDeleteHook(unindexOrganizationOnKith);
    kith.store.addAfterWriteHook(indexReferral);
    for (const op of [
      directorySearchOperation,
      referralMetricsOperation,
      forwardOperation,
      referralLinkOperation,
      referralLinksOperation,
      revokeReferralLinkOperation,
    ])
      registerOperation(op);
    await reindexDirectory(kith.store);
    await refreshAllOnKith(kith.store.queryable);
    await repairImportedAcceptsFlags(kith.store);
  }
  if (app && !routed.has(app)) {
    routed.add(app);
    await app.register(referralLinkRoutes, { store: kith.store });
    // KITH_HSDS_URL: pull that HSDS API now and every KITH_HSDS_EVERY_MINUTES (default daily).
    const jobs = notifyRuntime(kith)?.jobs;
    if (process.env.KITH_HSDS_URL && jobs) {
      const every = Number(process.env.KITH_HSDS_EVERY_MINUTES ?? 1440);
      await scheduleHsdsPull(jobs, kith.store, process.env.KITH_HSDS_URL, every, (s) =>
        app.log.info({ created: s.created, updated: s.updated, failed: s.failed }, 'HSDS pull done'),
      );
    }
  }
}
