#!/usr/bin/env node
// Launcher. After `npm ci` (its prepare script builds dist/) the compiled JavaScript starts in a
// fraction of a second; when dist/ is missing or older than any source file (a developer editing
// src/), the TypeScript sources run through tsx instead, so a change is never run stale.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

function buildIsCurrent() {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(root, 'dist', '.build'), 'utf8'));
    const src = path.join(root, 'src');
    for (const rel of fs.readdirSync(src, { recursive: true, encoding: 'utf8' })) {
      if (fs.statSync(path.join(src, rel)).mtimeMs > stamp.newestSource) return false;
    }
    return true;
  } catch {
    return false;
  }
}

if (process.env['RECON_FROM_SOURCE'] !== '1' && buildIsCurrent()) {
  await import('../../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
