import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateInbox } from '../generator/generate.ts';
import { evaluate, type Evaluation } from './evaluate.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { Db } from '../../src/db/database.ts';
import { silentLogger } from '../../src/core/log.ts';

export interface MatrixCell {
  employers: number;
  seed: number;
  evaluation: Evaluation;
  ms: number;
}

/**
 * Generates an inbox per (size, seed), runs the whole pipeline on it in a scratch folder and
 * scores the run against that inbox's ground truth: the rules' precision and recall do not
 * hold on one lucky fixture only.
 */
export async function evaluateMatrix(sizes: number[], seeds: number[], localParams: string, onCell?: (cell: MatrixCell) => void): Promise<MatrixCell[]> {
  const cells: MatrixCell[] = [];
  for (const employers of sizes) {
    for (const seed of seeds) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `recon-eval-${employers}-${seed}-`));
      try {
        const started = performance.now();
        const inbox = path.join(dir, 'inbox');
        await generateInbox({ employers, seed, out: inbox, params: localParams, projects: true });
        const pipelineFile = path.join(dir, 'pipeline.yaml');
        fs.writeFileSync(
          pipelineFile,
          `inbox: inbox\ndatabase: data/recon.duckdb\noutput: reports\nlocal_params: ${JSON.stringify(localParams)}\naudit: { rejects_warn: 0.2, rejects_fail: 0.5 }\n`,
        );
        await runPipeline(loadPipeline(pipelineFile), { logger: silentLogger() });
        const db = await Db.open(path.join(dir, 'data', 'recon.duckdb'), { readOnly: true });
        try {
          const cell = { employers, seed, evaluation: await evaluate(db, path.join(dir, 'truth')), ms: Math.round(performance.now() - started) };
          cells.push(cell);
          onCell?.(cell);
        } finally {
          db.close();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return cells;
}
