/**
 * Fault injection for the robustness tests: `RECON_FAULT=<action>:<point>[,<action>:<point>...]`
 * makes a run fail at a named point the way production fails at 3 a.m. Actions: `enospc` throws
 * the error a full disk gives (`ENOSPC: no space left on device`), `kill` ends the process with
 * SIGKILL on the spot. Unset (always, outside tests) it costs one environment lookup.
 *
 * Points: `open.copy` (before the published database is copied to staging), `ingest.write`
 * (inside a file's load transaction, before its rows are written), `publish.checkpoint` (before
 * the staging database is flushed), `publish.rename` (before it replaces the published file),
 * `publish.after-db` (the database is published, the run folder and `latest` not yet).
 */
export function faultPoint(point: string): void {
  const spec = process.env['RECON_FAULT'];
  if (!spec) return;
  for (const item of spec.split(',')) {
    const [action, at] = item.split(':');
    if (at !== point) continue;
    if (action === 'kill') process.kill(process.pid, 'SIGKILL');
    if (action === 'enospc') {
      throw Object.assign(new Error(`ENOSPC: no space left on device, write (injected at ${point})`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
  }
}
