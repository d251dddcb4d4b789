import path from 'node:path';
import { CONTRACTS, KINDS } from '../sources/index.ts';
import type { IngestSummary } from '../ingest/stage.ts';
import { displayWidth } from '../core/text-width.ts';

/** A plain-text table of what was loaded, per kind, and what was refused or skipped. */
export function formatIngestSummary(s: IngestSummary): string {
  const lines: string[] = [];
  const header = ['kind', '名称', 'files', 'rows loaded', 'rows rejected'];
  const rows = KINDS.map((k) => [k, CONTRACTS[k].label, String(s.byKind[k].files), String(s.byKind[k].rowsLoaded), String(s.byKind[k].rowsRejected)]);
  rows.push(['total', '合计', String(s.loaded), String(s.rowsLoaded), String(s.rowsRejected)]);
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const fmt = (r: string[]): string =>
    r.map((c, i) => (i >= 2 ? ' '.repeat((widths[i] ?? 0) - displayWidth(c)) + c : c + ' '.repeat((widths[i] ?? 0) - displayWidth(c)))).join('  ');
  lines.push(fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt));
  for (const r of s.results) {
    if (r.status === 'duplicate') lines.push(`skipped  ${path.basename(r.file)}: already loaded (file #${r.of})`);
    if (r.status === 'refused') lines.push(`REFUSED  ${path.basename(r.file)}: ${r.message}`);
  }
  return `${lines.join('\n')}\n`;
}
