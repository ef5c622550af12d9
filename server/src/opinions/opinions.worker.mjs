// Worker entry in plain JS: a worker thread does not inherit the parent's `--import tsx` loader
// hooks for its entry file on Node 20, so it registers tsx itself, then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./opinions.worker.ts');
