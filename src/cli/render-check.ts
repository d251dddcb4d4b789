import path from 'node:path';
import { Command } from 'commander';
import { renderCheck } from '../publish/render-check.ts';

/** `recon render-check`: renders the latest run's ledger, a worklist and the summary page to PNG. */
export function renderCheckCommand(): Command {
  return new Command('render-check')
    .description('Render reports/latest (ledger.xlsx, one worklist, summary.html) to PNG with LibreOffice, pdftoppm and Chromium, to look at them')
    .option('--reports <dir>', 'the reports folder holding latest', 'reports')
    .option('--timeout <seconds>', 'seconds each conversion may take', '180')
    .action((opts: { reports: string; timeout: string }) => {
      const result = renderCheck({ reports: opts.reports, timeoutSeconds: Number(opts.timeout) || 180 });
      process.stdout.write(`render-check: ${result.made.length} image(s) in ${result.renderDir}\n`);
      for (const file of result.made) {
        const rel = path.relative(process.cwd(), file);
        process.stdout.write(`  ${rel.startsWith('..') ? file : rel}\n`);
      }
    });
}
