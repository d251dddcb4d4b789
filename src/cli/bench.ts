import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { runBench } from '../bench/bench.ts';
import { generateInbox } from '../generator/generate.ts';
import { createLogger } from '../log.ts';

/** `recon bench`: benchmarks on a generated city-size inbox, written to reports/bench/. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('Benchmark ingest and linking on a generated inbox against plain DuckDB; results to reports/bench/*.json')
    .addOption(new Option('--part <part>', 'which part').choices(['ingest', 'link', 'all']).default('all'))
    .option('--employers <n>', 'size of the generated inbox (1000000 = a city)', '1000000')
    .option('--seed <n>', 'generator seed', '1')
    .option('--inbox <dir>', 'use this inbox instead of generating one')
    .option('--runs <n>', 'repetitions (medians are reported)', '3')
    .option('--work <dir>', 'scratch folder for databases and the generated inbox', '.bench')
    .option('--out <dir>', 'where the JSON result goes', 'reports/bench')
    .action(async (opts: { part: string; employers: string; seed: string; inbox?: string; runs: string; work: string; out: string }) => {
      const logger = createLogger();
      let inbox = opts.inbox;
      if (!inbox) {
        inbox = path.join(opts.work, `city-${opts.employers}-${opts.seed}`, 'inbox');
        if (!fs.existsSync(path.join(inbox, '..', 'truth', 'findings.csv'))) {
          logger.info({ inbox }, `generating ${opts.employers} employers (once; reused by later runs)`);
          await generateInbox({ employers: Number(opts.employers), seed: Number(opts.seed), out: inbox, formats: 'csv' });
        }
      }
      const parts = opts.part === 'all' ? (['ingest', 'link'] as const) : ([opts.part] as Array<'ingest' | 'link'>);
      const result = await runBench({
        inbox,
        workDir: path.join(opts.work, 'db'),
        runs: Number(opts.runs),
        parts: [...parts],
        localParams: path.resolve('pipelines/local-params.yaml'),
        logger,
      });
      fs.mkdirSync(opts.out, { recursive: true });
      const file = path.join(opts.out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
      if (result.ingest) {
        const i = result.ingest;
        process.stdout.write(
          `ingest ${i.file}: ${i.rows} rows; bare read_csv ${i.bareReadCsvMs} ms, recon ${i.reconMs} ms (${i.reconRowsPerSecond} rows/s), ratio ${i.ratio}x, peak RSS ${i.peakRssMb} MB (medians of ${i.runs.length})\n`,
        );
      }
      if (result.link) {
        const l = result.link;
        process.stdout.write(
          `link: ${l.records} records -> ${l.employers} employers in ${l.linkMs} ms (names ${l.nameMatchingMs} ms, ${Math.round(l.nameMatchingShare * 100)}%), peak RSS ${l.peakRssMb} MB; loading the inbox took ${l.loadAllMs} ms\n`,
        );
      }
      process.stdout.write(`written: ${file}\n`);
    });
}
