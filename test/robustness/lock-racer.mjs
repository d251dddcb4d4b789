// A racer for lock.test.ts, run as its own process: `node lock-racer.mjs <lock module> <id> <plan.json>`.
// It prints {"ready":true} once loaded and reads the start time (ms) from stdin. Round r starts
// at start + r * plan.spacing: it waits for that moment (all racers start together), calls
// acquireLock on the round's database (whose lock the test left stale) and prints one JSON
// line: { round, won } or { round, won: false, error, name }. A winner keeps its lock (it stays
// live for the others); the process exits when stdin closes.
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const [modulePath, id, planFile] = process.argv.slice(2);
const { acquireLock } = await import(pathToFileURL(modulePath).href);
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
const quiet = { warn() {}, info() {}, debug() {}, error() {} };
const spin = (until) => {
  while (Date.now() < until) {
    // busy-wait: a sleep would let the racers start milliseconds apart
  }
};
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
const start = Number((await lines.next()).value);
for (const [round, database] of plan.databases.entries()) {
  const at = start + round * plan.spacing;
  if (Date.now() < at - 20) await new Promise((r) => setTimeout(r, at - 20 - Date.now()));
  spin(at);
  try {
    acquireLock(database, `racer-${id}-round-${round}`, 'run', quiet);
    process.stdout.write(`${JSON.stringify({ round, won: true })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ round, won: false, error: String(error?.message ?? error), name: error?.name })}\n`);
  }
}
process.stdout.write(`${JSON.stringify({ done: true })}\n`);
for (;;) if ((await lines.next()).done) process.exit(0);
