import { Worker, type TransferListItem } from 'node:worker_threads';

/**
 * Starts one of the batch linkage's worker modules (`name`, a file beside this one without extension):
 * from the TypeScript sources (tsx) through a boot file that registers the loader, else the built file.
 */
export function startBatchWorker(name: string, data: object, transferList: TransferListItem[] = []): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts'))
    return new Worker(new URL('./batch-worker-boot.mjs', self), {
      workerData: { ...data, entry: `./${name}.ts` },
      transferList,
    });
  return new Worker(new URL(`./${name}.js`, self), { workerData: data, transferList });
}
