/**
 * The small hand-computed case of the targets and bulletin tests: seven enterprises in four
 * districts of 苏州, run twice through the real pipeline (as of 2026-10-31, then 2026-11-30).
 *
 *   虎丘区 320505  A1 enrolled, 10 insured, paid 1000 for 2026-08 and 2026-09 (and 2026-10 in run 2)
 *                 A2 enrolled, 5 insured, paid 500 for 2026-09 (and 2026-10)
 *                 A3 not enrolled in run 1; enrolled with 3 insured and paid 300 for 2026-10 in run 2
 *   吴中区 320506  B1 enrolled, 20 insured, paid 3000 for 2026-09 (and 2026-10); B2 never enrolled
 *   相城区 320507  C1 enrolled, 4 insured, paid 400 a month, and 999 for 2025-12 (another year)
 *                 C2 enrolled, 6 insured, paid 600 a month
 *   姑苏区 320508  D1 enrolled, 8 insured, paid 800 a month: no target, not ranked
 *
 * 目标任务 (as a city office writes it): 虎丘区 by name, 吴中区 by code with no 参保人数目标 and no
 * 征缴目标, 相城 by its short name with 参保率目标 written 100 and 征缴目标 in 万元; a 2025 row and
 * an unknown 区县 (火星区) that must not count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tempDir, writeText } from '../helpers.ts';
import { makeUscc } from '../../src/link/codes.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline, type RunResult } from '../../src/pipeline/run.ts';
import { silentLogger } from '../../src/core/log.ts';

const PARAMS = path.resolve('pipelines/local-params.yaml');

interface Emp {
  id: string;
  district: string;
  /** Insured count when enrolled in 110 (active) in the run; undefined: not enrolled. */
  insured: [run1: number | undefined, run2: number | undefined];
  /** period -> paid (due = paid), with the insured count of the month. */
  payments: Array<{ period: string; paid: number; insured: number; run2only?: boolean }>;
}

const EMPS: Emp[] = [
  {
    id: 'A1',
    district: '320505',
    insured: [10, 10],
    payments: [
      { period: '2026-08', paid: 1000, insured: 10 },
      { period: '2026-09', paid: 1000, insured: 10 },
      { period: '2026-10', paid: 1000, insured: 10, run2only: true },
    ],
  },
  {
    id: 'A2',
    district: '320505',
    insured: [5, 5],
    payments: [
      { period: '2026-09', paid: 500, insured: 5 },
      { period: '2026-10', paid: 500, insured: 5, run2only: true },
    ],
  },
  { id: 'A3', district: '320505', insured: [undefined, 3], payments: [{ period: '2026-10', paid: 300, insured: 3, run2only: true }] },
  {
    id: 'B1',
    district: '320506',
    insured: [20, 20],
    payments: [
      { period: '2026-09', paid: 3000, insured: 20 },
      { period: '2026-10', paid: 3000, insured: 20, run2only: true },
    ],
  },
  { id: 'B2', district: '320506', insured: [undefined, undefined], payments: [] },
  {
    id: 'C1',
    district: '320507',
    insured: [4, 4],
    payments: [
      { period: '2025-12', paid: 999, insured: 4 },
      { period: '2026-09', paid: 400, insured: 4 },
      { period: '2026-10', paid: 400, insured: 4, run2only: true },
    ],
  },
  {
    id: 'C2',
    district: '320507',
    insured: [6, 6],
    payments: [
      { period: '2026-09', paid: 600, insured: 6 },
      { period: '2026-10', paid: 600, insured: 6, run2only: true },
    ],
  },
  {
    id: 'D1',
    district: '320508',
    insured: [8, 8],
    payments: [
      { period: '2026-09', paid: 800, insured: 8 },
      { period: '2026-10', paid: 800, insured: 8, run2only: true },
    ],
  },
];

/** The targets file: hostile-looking text stays text, unknown districts are reported. */
export const TARGETS_CSV = [
  '苏州市2026年全民参保扩面征缴目标任务',
  '区县,年度,参保单位目标,参保人数目标,参保率目标,征缴目标（万元）',
  '虎丘区,2026,4,20,80%,0.5',
  '320506,2026,1,,0.5,',
  '相城,2026,2,20,100,0.2',
  '虎丘区,2025,100,100,50%,1',
  '火星区,2026,1,1,90%,1',
].join('\n');

function uscc(i: number, district: string): string {
  return makeUscc('9', '1', district, `MA${String(i + 1).padStart(6, '0')}`);
}

function writeInbox(dir: string, run: 0 | 1, withTargets: boolean): void {
  const stamp = run === 0 ? '20261031' : '20261130';
  const reg = ['统一社会信用代码,企业名称,成立日期,登记状态,所属区县代码'];
  const enr = ['单位编号,统一社会信用代码,单位名称,险种,参保状态,参保人数,所属区县'];
  const pay = ['单位编号,费款所属期,险种,缴费人数,缴费基数合计,应缴金额,实缴金额'];
  EMPS.forEach((e, i) => {
    const code = uscc(i, e.district);
    const name = `苏州${e.id}有限公司`;
    const unit = `U${String(i + 1).padStart(6, '0')}`;
    reg.push(`${code},${name},2020-01-01,存续,${e.district}`);
    const insured = e.insured[run];
    if (insured !== undefined) enr.push(`${unit},${code},${name},110,1,${insured},${e.district}`);
    for (const p of e.payments) if (run === 1 || !p.run2only) pay.push(`${unit},${p.period},110,${p.insured},${p.insured * 6000},${p.paid},${p.paid}`);
  });
  fs.mkdirSync(dir, { recursive: true });
  writeText(dir, `registration_${stamp}.csv`, reg.join('\n'));
  writeText(dir, `si_enrollment_${stamp}.csv`, enr.join('\n'));
  writeText(dir, `si_payment_${stamp}.csv`, pay.join('\n'));
  if (withTargets) writeText(dir, '目标任务_2026.csv', TARGETS_CSV, 'utf-8-bom');
}

export interface TwoRuns {
  dir: string;
  database: string;
  output: string;
  pipelineFiles: string[];
  /** The runs made, in order. */
  runs: RunResult[];
}

/** Runs the case twice (2026-10-31, 2026-11-30) into one database; targets delivered with the first run. */
export async function runTwoMonths(options: { targets?: boolean; only?: 'first' } = {}): Promise<TwoRuns> {
  const dir = tempDir('recon-campaign-');
  const files: string[] = [];
  const results: RunResult[] = [];
  for (const run of options.only === 'first' ? ([0] as const) : ([0, 1] as const)) {
    const inbox = path.join(dir, `inbox${run + 1}`);
    writeInbox(inbox, run, run === 0 && options.targets !== false);
    const file = path.join(dir, `pipeline${run + 1}.yaml`);
    fs.writeFileSync(
      file,
      `${[
        `name: campaign`,
        `inbox: ${inbox}`,
        'database: data/recon.duckdb',
        'output: reports',
        `local_params: ${PARAMS}`,
        `as_of: ${run === 0 ? '2026-10-31' : '2026-11-30'}`,
      ].join('\n')}\n`,
    );
    files.push(file);
    results.push(await runPipeline(loadPipeline(file), { logger: silentLogger() }));
  }
  return {
    dir,
    database: path.join(dir, 'data', 'recon.duckdb'),
    output: path.join(dir, 'reports'),
    pipelineFiles: files,
    runs: results,
  };
}
