// Entry of a batch linkage worker thread when Kith runs from its TypeScript sources (tsx): a worker does
// not inherit the main thread's loader, so it registers tsx before loading the worker module.
import { register } from 'tsx/esm/api';

register();
await import('./batch-pair-worker.ts');
