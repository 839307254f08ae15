#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx kith` works in a checkout without a build.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
