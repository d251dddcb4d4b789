import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { runBench } from '../bench/bench.ts';
import { runNightlyBench, type NightlyBenchResult } from '../bench/nightly.ts';
import { generateInbox } from '../generator/generate.ts';
import { createLogger } from '../../src/core/log.ts';

/** `recon bench`: benchmarks on a generated city-size inbox, written to reports/bench/. */
export function benchCommand(): Command {
  return new Command('bench')
    .description(
      'Benchmark the whole nightly (per stage: wall time, rows/s, peak memory) on a generated city-size inbox, against plain DuckDB doing the same work; results to reports/bench/*.json',
    )
    .addOption(
      new Option('--part <part>', 'nightly: the whole run with the ingest and rules yardsticks; ingest, link: those stages alone')
        .choices(['nightly', 'ingest', 'link', 'all'])
        .default('nightly'),
    )
    .option('--threads <n>', 'DuckDB threads of the nightly part (default: all cores)')
    .option('--memory-limit <size>', 'DuckDB memory_limit of the nightly part, e.g. 8GB (default: as a nightly run, 3GB or half of RAM when less)')
    .option('--no-gbk', 'skip the GBK copy of the inbox (ingest of GBK against UTF-8)')
    .option('--employers <n>', 'size of the generated inbox (1000000 = a city)', '1000000')
    .option('--seed <n>', 'generator seed', '1')
    .option('--inbox <dir>', 'use this inbox instead of generating one')
    .option(
      '--persons',
      'a city with people (iit_detail, si_person, resident_pension, assistance): also iit_detail ingest against bare read_csv and the person rules against their plain SQL yardstick',
    )
    .option('--runs <n>', 'repetitions (medians are reported)', '3')
    .option('--work <dir>', 'scratch folder for databases and the generated inbox', '.bench')
    .option('--out <dir>', 'where the JSON result goes', 'reports/bench')
    .action(
      async (opts: {
        part: string;
        employers: string;
        seed: string;
        inbox?: string;
        runs: string;
        work: string;
        out: string;
        threads?: string;
        memoryLimit?: string;
        gbk: boolean;
        persons?: boolean;
      }) => {
        const logger = createLogger();
        let inbox = opts.inbox;
        if (!inbox) {
          inbox = path.join(opts.work, `city-${opts.employers}-${opts.seed}${opts.persons ? '-persons' : ''}`, 'inbox');
          const done = path.join(inbox, '..', 'truth', opts.persons ? 'person_findings.csv' : 'findings.csv');
          if (!fs.existsSync(done)) {
            logger.info({ inbox }, `generating ${opts.employers} employers${opts.persons ? ' with their people' : ''} (once; reused by later runs)`);
            const g = await generateInbox({
              employers: Number(opts.employers),
              seed: Number(opts.seed),
              out: inbox,
              formats: 'csv',
              persons: opts.persons === true,
            });
            if (g.persons) logger.info({ people: g.persons.persons, wageEarners: g.persons.wageEarners }, 'generated people');
          }
        }
        fs.mkdirSync(opts.out, { recursive: true });
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        if (opts.part === 'nightly') {
          const result = await runNightlyBench({
            inbox,
            workDir: opts.work,
            runs: Number(opts.runs),
            localParams: path.resolve('pipelines/local-params.yaml'),
            logger,
            duckdb: { ...(opts.threads ? { threads: Number(opts.threads) } : {}), ...(opts.memoryLimit ? { memory_limit: opts.memoryLimit } : {}) },
            gbk: opts.gbk,
            persons: opts.persons === true,
          });
          const file = path.join(opts.out, `nightly-${stamp}.json`);
          fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
          if (result.rules.yardstickFile) fs.copyFileSync(result.rules.yardstickFile, path.join(opts.out, `nightly-${stamp}-yardstick.sql`));
          if (result.persons?.rules.yardstickFile) {
            fs.copyFileSync(result.persons.rules.yardstickFile, path.join(opts.out, `nightly-${stamp}-person-yardstick.sql`));
          }
          process.stdout.write(`${nightlyTable(result)}written: ${file}\n`);
          return;
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
        const file = path.join(opts.out, `bench-${stamp}.json`);
        fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
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
      },
    );
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** The printed table of a nightly bench: one line per stage, then the totals and ratios. */
export function nightlyTable(r: NightlyBenchResult): string {
  const lines = [
    `nightly on ${r.inbox} (${r.inboxMb} MB): ${r.counts.rowsLoaded} rows, ${r.counts.records} records -> ${r.counts.employers} employers, ${r.counts.findings} findings, ${r.counts.worklistRows} worklist rows, ${r.counts.notices} notices; medians of ${r.runs} run(s)`,
    `${pad('stage', 18)} ${pad('wall s', 8, true)} ${pad('rows', 10, true)} ${pad('rows/s', 10, true)} ${pad('peak RSS MB', 12, true)}`,
  ];
  for (const s of r.stages) {
    lines.push(
      `${pad(s.stage, 18)} ${pad((s.ms / 1000).toFixed(1), 8, true)} ${pad(s.rows === null ? '' : String(s.rows), 10, true)} ${pad(s.rowsPerSecond === null ? '' : String(s.rowsPerSecond), 10, true)} ${pad(String(s.peakRssMb), 12, true)}`,
    );
  }
  lines.push(`${pad('total', 18)} ${pad((r.totalMs / 1000).toFixed(1), 8, true)} ${pad('', 10)} ${pad('', 10)} ${pad(String(r.peakRssMb), 12, true)}`);
  const i = r.ingest;
  lines.push(
    `ingest: recon ${(i.reconMs / 1000).toFixed(1)} s, bare read_csv ${(i.bareReadCsvMs / 1000).toFixed(1)} s, ratio ${i.ratio}x (target 1.3x)` +
      (i.gbkMs !== undefined ? `; GBK inputs ${(i.gbkMs / 1000).toFixed(1)} s, ${i.gbkRatio}x the UTF-8 ingest (target 2x)` : ''),
  );
  lines.push(
    `rules: recon ${(r.rules.reconMs / 1000).toFixed(1)} s, plain SQL yardstick ${(r.rules.yardstickMs / 1000).toFixed(1)} s, ratio ${r.rules.ratio}x (target 1.5x); findings ${r.rules.findings} vs yardstick ${r.rules.yardstickFindings}${r.persons ? ' (employer and person rules: both yardsticks)' : ''}`,
  );
  const p = r.persons;
  if (p) {
    const n = (x: number): string => x.toLocaleString('en-US');
    lines.push(
      `people: ${n(p.rows.persons)} persons, ${n(p.rows.wageEarners)} wage earners; current rows iit_detail ${n(p.rows.iit_detail)}, si_person ${n(p.rows.si_person)}, resident_pension ${n(p.rows.resident_pension)}, assistance ${n(p.rows.assistance)}`,
    );
    lines.push(
      `iit_detail ingest: recon ${(p.iitIngest.reconMs / 1000).toFixed(1)} s for ${n(p.iitIngest.rows)} rows in ${p.iitIngest.files} file(s), bare read_csv ${(p.iitIngest.bareReadCsvMs / 1000).toFixed(1)} s, ratio ${p.iitIngest.ratio}x (target 2x)`,
    );
    lines.push(
      `person rules: recon ${(p.rules.reconMs / 1000).toFixed(1)} s, plain SQL yardstick ${(p.rules.yardstickMs / 1000).toFixed(1)} s, ratio ${p.rules.ratio}x (target 1.5x); findings ${p.rules.findings} vs yardstick ${p.rules.yardstickFindings}`,
    );
    lines.push(
      `  ${Object.entries(p.rules.byRule)
        .map(([k, v]) => `${k} ${(v.recon / 1000).toFixed(1)}/${(v.yardstick / 1000).toFixed(1)} s`)
        .join(', ')} (recon/yardstick)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
