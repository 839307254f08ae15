import type { Resource } from '@medplum/fhirtypes';
import { WriteBatcher } from './write-batcher';

/**
 * Concurrent creates written together by one `createMany` (one transaction, its identity set path)
 * instead of five round trips each (begin, the version, identity candidates, the Person, commit).
 * See WriteBatcher for when a create waits and what happens when a batch fails.
 */
export class CreateBatcher extends WriteBatcher<Resource> {
  constructor(slots: number, maxBatch: number) {
    super(slots, maxBatch, (store, resources) => store.createMany(resources));
  }
}
