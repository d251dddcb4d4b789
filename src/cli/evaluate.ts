import { Command } from 'commander';
import { loadPipeline } from '../pipeline/config.ts';
import { Db } from '../db/database.ts';
import { evaluate, formatEvaluation } from '../generator/evaluate.ts';
import { EXIT } from './exit.ts';
import { DEFAULT_PIPELINE } from './run.ts';

/** `recon evaluate`: precision and recall of links and findings against a generator's ground truth. */
export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description("Score the latest run's links and findings against the generator's ground truth (truth/links.csv, truth/findings.csv)")
    .option('--truth <dir>', 'the truth folder written by recon generate', 'fixtures/truth')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .option('--min <score>', 'exit 1 when any precision or recall is below this', '0')
    .option('--json', 'print JSON')
    .action(async (opts: { truth: string; pipeline: string; db?: string; min: string; json?: boolean }) => {
      const pipeline = loadPipeline(opts.pipeline, opts.db ? { database: opts.db } : {});
      const db = await Db.open(pipeline.database, { readOnly: true });
      try {
        const result = await evaluate(db, opts.truth);
        process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : formatEvaluation(result));
        const min = Number(opts.min);
        const scores = [result.links.code, result.links.name, ...Object.values(result.rules)];
        if (scores.some((s) => s.precision < min || s.recall < min)) process.exitCode = EXIT.failed;
      } finally {
        db.close();
      }
    });
}
