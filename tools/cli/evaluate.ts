import { Command } from 'commander';
import { withPublishedDb } from '../../src/cli/published.ts';
import path from 'node:path';
import { evaluate, formatEvaluation, gatedScores, type Score } from '../evaluate/evaluate.ts';
import { evaluateMatrix } from '../evaluate/matrix.ts';
import { EXIT } from '../../src/cli/exit.ts';
import { DEFAULT_PIPELINE } from '../../src/cli/run.ts';

/** `recon evaluate`: precision and recall of links and findings against a generator's ground truth. */
export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description("Score the latest run's links and findings against the generator's ground truth (truth/links.csv, truth/findings.csv)")
    .option('--truth <dir>', 'the truth folder written by recon generate', 'fixtures/truth')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .option('--min <score>', 'exit 1 when any precision or recall is below this', '0')
    .option('--json', 'print JSON')
    .option('--sizes <list>', 'instead: generate inboxes of these sizes (e.g. 300,3000), run the pipeline on each and score it')
    .option('--seeds <list>', 'with --sizes: generator seeds', '1,2')
    .action(async (opts: { truth: string; pipeline: string; db?: string; min: string; json?: boolean; sizes?: string; seeds: string }) => {
      const min = Number(opts.min);
      const failing = (scores: Score[]): boolean => scores.some((s) => s.precision < min || s.recall < min);
      if (opts.sizes) {
        const sizes = opts.sizes.split(',').map(Number);
        const seeds = opts.seeds.split(',').map(Number);
        const cells = await evaluateMatrix(sizes, seeds, path.resolve('pipelines/local-params.yaml'), (cell) => {
          if (!opts.json)
            process.stdout.write(`\n== ${cell.employers} employers, seed ${cell.seed} (${Math.round(cell.ms / 1000)} s)\n${formatEvaluation(cell.evaluation)}`);
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(cells, null, 2)}\n`);
        if (cells.some((c) => failing(gatedScores(c.evaluation)))) process.exitCode = EXIT.failed;
        return;
      }
      await withPublishedDb(opts, async (db) => {
        const result = await evaluate(db, opts.truth);
        process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatEvaluation(result));
        if (failing(gatedScores(result))) process.exitCode = EXIT.failed;
      });
    });
}
