#!/usr/bin/env node
// The workspace ships TypeScript sources; tsx compiles them on load, so the bin works without a build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/main.ts');
