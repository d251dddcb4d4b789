// After `tsc -p tsconfig.build.json`: copies what the compiled code reads beside itself (SQL
// files, the reference CSVs) from src/ to dist/, and stamps the build with the newest source
// time, so src/cli/bin.js can tell a current build from a stale one.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
let newest = 0;
let copied = 0;
for (const rel of fs.readdirSync(src, { recursive: true, encoding: 'utf8' })) {
  const from = path.join(src, rel);
  const stat = fs.statSync(from);
  if (!stat.isFile()) continue;
  newest = Math.max(newest, stat.mtimeMs);
  if (rel.endsWith('.ts') || rel.endsWith('.js')) continue;
  const to = path.join(dist, rel);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  copied++;
}
fs.writeFileSync(path.join(dist, '.build'), `${JSON.stringify({ newestSource: newest, builtAt: new Date().toISOString() })}\n`);
process.stdout.write(`dist: ${copied} asset file(s) copied\n`);
