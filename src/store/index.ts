import './migrations';

export { openDatabase, type Database, type DatabaseOptions } from './db/database';
export { migrate, registerMigrations, type Migration } from './db/migrate';
export { refreshStatistics } from './db/statistics';
export {
  FhirStore,
  isValidId,
  type StoredVersion,
  type WriteResult,
  type WriteCompanion,
  type Queryable,
  type AfterWriteHook,
  type AfterDeleteHook,
  type BeforeWriteHook,
  type WriteHooks,
} from './repository';
export { readHistory, type HistoryEntry, type HistoryQuery } from './history';
export {
  executeSearch,
  executeSearchMany,
  executeSystemSearch,
  storedResourceTypes,
  type SearchHit,
  type SearchResult,
  type VisibilityFilter,
} from './search/execute';
export type { SearchRequest, SearchFilter, SortKey, IncludeSpec } from './search/model';
export { SqlParams } from './search/params';
export { extractIndexRows, splitReference } from './index-rows';
