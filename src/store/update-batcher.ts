import type { Resource } from '@medplum/fhirtypes';
import { WriteBatcher } from './write-batcher';

/** An update as the batcher holds it: the resource and the version the client last saw (If-Match). */
export interface UpdateItem {
  resource: Resource;
  ifMatch?: number;
}

/**
 * Concurrent updates written together by one `updateMany`: one transaction, one statement locking
 * every current row and one writing every version, instead of a transaction each. Two updates of
 * one resource never share a batch, so the later one sees the version the earlier one wrote. See
 * WriteBatcher for when an update waits and what happens when a batch fails.
 */
export class UpdateBatcher extends WriteBatcher<UpdateItem> {
  constructor(slots: number, maxBatch: number) {
    super(
      slots,
      maxBatch,
      (store, items) => store.updateMany(items),
      (item) => `${item.resource.resourceType}/${item.resource.id}`,
    );
  }
}
