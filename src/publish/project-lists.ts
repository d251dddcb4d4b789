import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import type { DatedRunContext } from '../config/context.ts';
import { safeFileName, safeText } from '../core/xlsx-write.ts';
import { byDistrict, freshPath, writeBook, writeListSheet, type ListColumn } from './person-lists.ts';
import { createReferralViews } from './si-cleanup.ts';

const step = sqlSteps(new URL('./project-lists.sql', import.meta.url));

/**
 * The construction and SI offices' list of a run, per district of the project:
 * `<run folder>/projects/新开工项目未参保_<区县>.xlsx`: the permits of project_uninsured (issued in
 * the last year, at least 7 days ago, no project enrolment), oldest first, with the contractor,
 * the contract amount, the days since issue and the estimated work-injury premium. And the view
 * `ledger_project_district` (新开工项目工伤保险参保率 per district) the ledger and bulletin read.
 */

/** The folder of the project lists, inside the run folder. */
export const PROJECTS_DIR = 'projects';

export interface ProjectListsSummary {
  rows: number;
  files: number;
}

interface ProjectRow {
  district_code: string;
  district: string;
  project_name: string | null;
  permit_no: string;
  contractor: string | null;
  contractor_uscc: string | null;
  contract_amount: number | null;
  issued_on: string | null;
  days_since: number | null;
  amount: number | null;
  case_id: string;
  note: string | null;
}

const text = (v: unknown): string | null => safeText(v);
/**
 * A permit number as the list shows it: letters, digits and - / ( ) only, never masked. Many
 * permit numbers are 18 digits (区划 + 发证日期 + 流水号) and look like a resident ID to the
 * masker, which would hide the one number the offices look the permit up by; a permit number
 * is not personal data.
 */
const permit = (v: string | null): string | null => (v === null ? null : v.replace(/[^\p{L}\p{N}\-/()（）]/gu, '') || null);
const money = (v: number | null): number | null => (v === null ? null : Math.round(Number(v) * 100) / 100);

const COLUMNS: Array<ListColumn<ProjectRow>> = [
  // Widths add up to 130, as the other lists (A4 landscape, 11 pt text prints at 9.7 pt or more).
  { header: '序号', width: 5, value: (_, i) => i + 1, center: true },
  { header: '项目名称', width: 22, value: (r) => text(r.project_name), wrap: true },
  { header: '施工许可证编号', width: 18, value: (r) => permit(r.permit_no), wrap: true },
  { header: '施工单位', width: 18, value: (r) => text([r.contractor, r.note ? `（${r.note}）` : null].filter(Boolean).join('\n')), wrap: true },
  { header: '统一社会信用代码', width: 19, value: (r) => text(r.contractor_uscc) },
  { header: '合同金额\n（万元）', width: 10, value: (r) => money(r.contract_amount), numFmt: '#,##0.00' },
  { header: '发证日期', width: 10, value: (r) => text(r.issued_on), center: true },
  { header: '已过天数', width: 6, value: (r) => (r.days_since === null ? null : Number(r.days_since)), center: true },
  { header: '估算工伤\n保险费（元）', width: 11, value: (r) => money(r.amount), numFmt: '#,##0.00' },
  { header: '案件编号', width: 11, value: (r) => text(r.case_id) },
];

/** Creates (or replaces) ledger_project_district; call after the rules stage (it reads project_permits). */
export async function createProjectViews(db: Db): Promise<void> {
  await db.run(step('project_lists.views'), undefined, { step: 'project_lists.views' });
}

/** Writes the view and the per-district lists of uninsured new projects (see the top of this file). */
export async function writeProjectLists(db: Db, ctx: DatedRunContext): Promise<ProjectListsSummary> {
  const started = performance.now();
  await createProjectViews(db);
  await db.run(step('project_lists.record'), { run: ctx.runId }, { step: 'project_lists.record' });
  await createReferralViews(db);
  const rows = await db.all<ProjectRow>(step('project_lists.rows'), { run: ctx.runId }, { step: 'project_lists.rows' });
  const summary: ProjectListsSummary = { rows: rows.length, files: 0 };
  if (rows.length) {
    const folder = path.join(ctx.runDir, PROJECTS_DIR);
    fs.mkdirSync(folder, { recursive: true });
    const used = new Set<string>();
    for (const list of byDistrict(rows).values()) {
      const district = (list[0] as ProjectRow).district;
      const amount = money(list.reduce((n, r) => n + Number(r.amount ?? 0), 0));
      const contract = money(list.reduce((n, r) => n + Number(r.contract_amount ?? 0), 0));
      await writeBook(freshPath(folder, `新开工项目未参保_${safeFileName(district)}`, used), null, (wb) =>
        writeListSheet(wb, {
          name: '新开工项目未参保',
          header: `${district} 新开工项目未参加工伤保险（核查日 ${ctx.dates.asOf}，${list.length} 个项目）`,
          right: '先参保、再开工',
          columns: COLUMNS,
          rows: list,
          empty: '无',
          total: ['合计', `${list.length} 个项目`, null, null, null, contract, null, null, amount, null],
        }),
      );
      summary.files++;
    }
  }
  ctx.logger.info(
    { ...summary, ms: Math.round(performance.now() - started) },
    `project lists: ${summary.rows} uninsured new project(s) in ${summary.files} file(s) under ${PROJECTS_DIR}/`,
  );
  return summary;
}
