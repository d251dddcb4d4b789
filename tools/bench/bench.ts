import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/schema/migrate.ts';
import { loadFile } from '../../src/ingest/load.ts';
import { listInbox, ingestFiles } from '../../src/ingest/stage.ts';
import { loadReferenceTables } from '../../src/reference/load.ts';
import { linkEmployers } from '../../src/link/stage.ts';
import { defaultPipeline } from '../../src/config/pipeline-file.ts';
import { newRunContext, withDates } from '../../src/config/context.ts';
import { silentLogger, type Logger } from '../../src/core/log.ts';
import { measure, median } from './measure.ts';

export interface BenchOptions {
  inbox: string;
  workDir: string;
  runs: number;
  parts: Array<'ingest' | 'link'>;
  localParams: string;
  logger: Logger;
}

export interface BenchResult {
  machine: { cpus: number; memoryGb: number; node: string };
  inbox: string;
  ingest?: {
    file: string;
    rows: number;
    bareReadCsvMs: number;
    reconMs: number;
    ratio: number;
    reconRowsPerSecond: number;
    peakRssMb: number;
    runs: Array<{ bareMs: number; reconMs: number }>;
  };
  link?: {
    records: number;
    employers: number;
    loadAllMs: number;
    linkMs: number;
    nameMatchingMs: number;
    nameMatchingShare: number;
    peakRssMb: number;
  };
}

function freshDb(dir: string, name: string): string {
  const file = path.join(dir, name);
  for (const f of [file, `${file}.wal`]) fs.rmSync(f, { force: true });
  return file;
}

/**
 * The benchmark: the same data on the same machine, against plain DuckDB doing the same work.
 * Ingest: the largest registration file, recon's loader (sniffing, typing, rejects, manifest)
 * against a bare `CREATE TABLE AS SELECT * FROM read_csv(file)` into a file database.
 * Link: the whole inbox loaded, then the linking stage, with the share spent on names.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  fs.mkdirSync(options.workDir, { recursive: true });
  const result: BenchResult = {
    machine: { cpus: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    inbox: options.inbox,
  };
  const files = listInbox(options.inbox, ['**/*.csv', '**/*.xlsx']);
  if (options.parts.includes('ingest')) {
    const registration = files.filter((f) => path.basename(f).includes('市场监管')).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
    if (!registration) throw new Error(`no registration file (市场监管*) in ${options.inbox}`);
    const runs: Array<{ bareMs: number; reconMs: number }> = [];
    let rows = 0;
    let peak = 0;
    for (let i = 0; i < options.runs; i++) {
      const bareFile = freshDb(options.workDir, 'bare.duckdb');
      const bare = await measure(async () => {
        const db = await Db.open(bareFile);
        await db.run(`CREATE TABLE t AS SELECT * FROM read_csv($1)`, [registration]);
        const n = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM t`);
        db.close();
        return Number(n?.n ?? 0);
      });
      const reconFile = freshDb(options.workDir, 'recon.duckdb');
      const recon = await measure(async () => {
        const db = await Db.open(reconFile);
        await migrate(db);
        const r = await loadFile(db, registration, {
          runId: `bench-${i}`,
          defaultAsOf: '2026-10-31',
          minSnapshotRatio: 0.5,
          workDir: options.workDir,
          logger: silentLogger(),
        });
        db.close();
        return r.status === 'loaded' ? r.rowsRead : 0;
      });
      rows = recon.value;
      peak = Math.max(peak, recon.peakRssMb);
      runs.push({ bareMs: bare.ms, reconMs: recon.ms });
      options.logger.info({ run: i + 1, bareMs: bare.ms, reconMs: recon.ms, rows }, 'ingest bench run');
    }
    const bareMs = median(runs.map((r) => r.bareMs));
    const reconMs = median(runs.map((r) => r.reconMs));
    result.ingest = {
      file: path.basename(registration),
      rows,
      bareReadCsvMs: bareMs,
      reconMs,
      ratio: Number((reconMs / bareMs).toFixed(2)),
      reconRowsPerSecond: Math.round(rows / (reconMs / 1000)),
      peakRssMb: peak,
      runs,
    };
  }
  if (options.parts.includes('link')) {
    const file = freshDb(options.workDir, 'link.duckdb');
    const db = await Db.open(file);
    await migrate(db);
    await loadReferenceTables(db, options.localParams);
    const ctx = newRunContext(defaultPipeline({ inbox: path.dirname(files[0] ?? '.'), database: file, output: options.workDir, workDir: options.workDir }), {
      command: 'bench',
      runId: 'bench',
      logger: silentLogger(),
    });
    const load = await measure(() =>
      ingestFiles(db, { ...ctx, pipeline: { ...ctx.pipeline, asOf: '2026-10-31' } }, { files: files.map((f) => ({ file: f })) }),
    );
    const link = await measure(() => linkEmployers(db, withDates(ctx, '2026-10-31')));
    db.close();
    result.link = {
      records: link.value.records,
      employers: link.value.employers,
      loadAllMs: load.ms,
      linkMs: link.ms,
      nameMatchingMs: link.value.nameMatchingMs,
      nameMatchingShare: Number((link.value.nameMatchingMs / link.ms).toFixed(3)),
      peakRssMb: link.peakRssMb,
    };
  }
  return result;
}
