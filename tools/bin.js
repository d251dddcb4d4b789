#!/usr/bin/env node
// Launcher of the development tools (generate, evaluate, bench): TypeScript through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./cli/main.ts');
