/**
 * Kith's demo data set: a small fictional county ("Alder County", California) as FHIR R4 transaction
 * Bundles. Deterministic: the same seed and size give byte-identical output on every machine.
 * See README.md in this folder for what it contains and the demo sign-ins.
 */
export {
  generateDemoCounty,
  DEFAULT_SEED,
  DEFAULT_PEOPLE,
  type DemoOptions,
  type DemoCounty,
  type IdentityTruth,
} from './county';
export { loadDemo, type LoadDemoOptions, type LoadDemoResult } from './load';
export { demoUsers, DEMO_PASSWORD, type DemoUser, type DemoRole } from './staff';
export { EXT, CODESYSTEM, ORG, SOURCES, SHARED_ID, AS_OF, type SourceKey, type SourceSystem } from './kith';
export { DEMO_TAG } from './bundle';
export type { DemoSummary } from './summary';
export type { Bundle, BundleEntry, Resource } from './fhir';
export type { AccessLevel } from './terminology';
