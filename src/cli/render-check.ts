import path from 'node:path';
import { Command } from 'commander';

/** `recon render-check`: renders the latest run's ledger, a worklist and the summary page to PNG, beside the run folders. */
export function renderCheckCommand(): Command {
  return new Command('render-check')
    .description(
      'Render reports/latest (ledger.xlsx, one worklist, summary.html on screen and printed) to PNG with LibreOffice, pdftoppm and Chromium, into <reports>/render-check/<run>/',
    )
    .option('--reports <dir>', 'the reports folder holding latest', 'reports')
    .option('--timeout <seconds>', 'seconds each conversion may take', '180')
    .addHelpText('after', '\nThe published run folder is never written to: the images go to <reports>/render-check/<run id>/.')
    .action(async (opts: { reports: string; timeout: string }) => {
      const { renderCheck } = await import('../publish/render-check.ts');
      const result = renderCheck({ reports: opts.reports, timeoutSeconds: Number(opts.timeout) || 180 });
      process.stdout.write(`render-check: ${result.made.length} image(s) in ${result.renderDir}\n`);
      for (const file of result.made) {
        const rel = path.relative(process.cwd(), file);
        process.stdout.write(`  ${rel.startsWith('..') ? file : rel}\n`);
      }
    });
}
