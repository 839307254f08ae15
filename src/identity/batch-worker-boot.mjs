// Entry of a batch linkage worker thread when Kith runs from its TypeScript sources (tsx): a worker does
// not inherit the main thread's loader, so it registers tsx before loading the worker module it was
// started for (workerData.entry, a path relative to this folder).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(new URL(workerData.entry, import.meta.url).href);
