import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { RunContext } from '../config/context.ts';
import { DQ_CATEGORY_ZH, detailZh, sourceZh, zh } from './labels.ts';

const COLUMNS = ['category', '问题类别', 'source', '数据来源', 'record_key', 'name', 'employer_id', 'detail', '说明'] as const;

/** One CSV field: text Excel would read as a formula (= + - @, a tab or CR first) gets a leading apostrophe, as recon_csv_text does. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Writes `data_quality.csv` (UTF-8 with BOM): this run's data-quality issues (bad codes,
 * conflicts, unknown values), never worklist rows. The English codes and detail stay for
 * scripts (category, source, detail, as in dq_issues); 问题类别, 数据来源 and 说明 beside them
 * are the same in Chinese (src/publish/labels.ts; a text no table knows is repeated as it is).
 */
export async function writeDataQualityCsv(db: Db, ctx: RunContext): Promise<string> {
  const file = path.join(ctx.runDir, 'data_quality.csv');
  const out = fs.openSync(file, 'w');
  try {
    fs.writeSync(out, `\uFEFF${COLUMNS.join(',')}\n`);
    for await (const chunk of db.streamJson(
      `SELECT category, source, record_key, name, employer_id, detail FROM dq_issues WHERE run_id = $run ORDER BY category, source, record_key`,
      { run: ctx.runId },
      { step: 'publish.data_quality_csv' },
    )) {
      let text = '';
      for (const r of chunk.rows) {
        const row: Record<(typeof COLUMNS)[number], unknown> = {
          category: r['category'],
          问题类别: zh(DQ_CATEGORY_ZH, r['category']),
          source: r['source'],
          数据来源: sourceZh(r['source']),
          record_key: r['record_key'],
          name: r['name'],
          employer_id: r['employer_id'],
          detail: r['detail'],
          说明: detailZh(r['detail'], r['source']),
        };
        text += `${COLUMNS.map((c) => csvField(row[c])).join(',')}\n`;
      }
      fs.writeSync(out, text);
    }
  } finally {
    fs.closeSync(out);
  }
  return file;
}
