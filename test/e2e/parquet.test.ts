import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { exportParquet, PARQUET_TABLES } from '../../src/publish/parquet.ts';
import { silentLogger } from '../../src/core/log.ts';
import { FIXTURE_INBOX, withPublished, workdir, type Workdir } from './support.ts';
import { rows } from '../helpers.ts';

describe('Parquet export partitioned by district (recon export)', () => {
  let work: Workdir;
  let out: string;
  beforeAll(async () => {
    work = workdir({ source: FIXTURE_INBOX });
    await runPipeline(loadPipeline(work.pipelineFile), { logger: silentLogger() });
    out = path.join(work.output, 'parquet', 'test');
    await withPublished(work.database, (db) => exportParquet(db, out, silentLogger()));
  }, 180_000);

  it('writes every table in hive layout, one folder per district, with the manifest', () => {
    for (const t of PARQUET_TABLES) {
      const folders = fs.readdirSync(path.join(out, t.name));
      expect(folders.length, t.name).toBeGreaterThan(0);
      for (const f of folders) expect(f, t.name).toMatch(/^district=(\d{6}|unknown)$/);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { run_id: string; tables: Record<string, { rows: number }> };
    expect(manifest.run_id).toMatch(/^\d{8}-/);
    expect(Object.keys(manifest.tables)).toEqual(PARQUET_TABLES.map((t) => t.name));
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
  });

  it("holds exactly the published rows, each under its employer's district", async () => {
    await withPublished(work.database, async (db) => {
      const glob = (t: string): string => `'${path.join(out, t, '**', '*.parquet')}'`;
      const [published] = await rows(
        db,
        `SELECT (SELECT count(*) FROM findings_latest WHERE person_key = '') AS findings, (SELECT count(*) FROM si_payment_current) AS payments, (SELECT count(*) FROM employers) AS employers`,
      );
      const [exported] = await rows(
        db,
        `SELECT (SELECT count(*) FROM read_parquet(${glob('findings')}, hive_partitioning = true)) AS findings,
                (SELECT count(*) FROM read_parquet(${glob('si_payment')}, hive_partitioning = true)) AS payments,
                (SELECT count(*) FROM read_parquet(${glob('employers')}, hive_partitioning = true)) AS employers`,
      );
      expect(exported).toEqual(published);
      expect(Number(published?.['findings'])).toBeGreaterThan(100);
      // A finding sits in the folder of its employer's district, and nowhere else.
      const misplaced = await rows(
        db,
        `SELECT p.case_id FROM read_parquet(${glob('findings')}, hive_partitioning = true) p JOIN employers e USING (employer_id)
         WHERE p.district <> coalesce(e.district_code, 'unknown')`,
      );
      expect(misplaced).toEqual([]);
      // One district's folder is a self-contained slice: its payments belong to its employers.
      const [one] = await rows(db, `SELECT district_code FROM employers WHERE district_code IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC LIMIT 1`);
      const d = String(one?.['district_code']);
      const foreign = await rows(
        db,
        `SELECT p.unit_id FROM read_parquet('${path.join(out, 'si_payment', `district=${d}`, '*.parquet')}') p
         ANTI JOIN read_parquet('${path.join(out, 'employers', `district=${d}`, '*.parquet')}') e USING (employer_id)`,
      );
      expect(foreign).toEqual([]);
      const [slice] = await rows(db, `SELECT count(*) AS n FROM read_parquet('${path.join(out, 'si_payment', `district=${d}`, '*.parquet')}')`);
      expect(Number(slice?.['n'])).toBeGreaterThan(0);
    });
  });
});
