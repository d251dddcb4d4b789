import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline, type PipelineConfig } from '../../src/config/pipeline-file.ts';
import { runPipeline, type RunResult } from '../../src/pipeline/run.ts';
import { closedMonth } from '../../src/config/context.ts';
import { makeUscc } from '../../src/link/codes.ts';
import { silentLogger } from '../../src/core/log.ts';
import { FIXTURE_INBOX, query, workdir, type Workdir } from './support.ts';

const ENROLLMENT = '社保单位参保登记_20261031.csv';
const REGISTRY = '市场监管_企业登记信息_20261031.csv';

// The fixture's payment and withholding ledgers end in 2026-09. A November snapshot date as D
// would move the closed month to 2026-10, where nobody has declared yet: every enrolled
// employer would turn not_declared. The runs keep D = 2026-10-31 and only the enrollment and
// registry snapshots move on.
const AS_OF = '2026-10-31';

interface Case {
  case_id: string;
  employer_id: string;
  rule_id: string;
  state: string;
  opened_run: string;
  state_run: string;
  reopen_count: number;
}

interface Event {
  case_id: string;
  from_state: string | null;
  to_state: string;
  reason: string;
}

interface Picked {
  employer_id: string;
  case_id: string;
  uscc: string;
  name: string;
  district_code: string;
}

/** A later snapshot: the earlier file's bytes plus extra rows, in its own line ending. */
function redeliver(inbox: string, from: string, to: string, extra: string[]): void {
  const text = fs.readFileSync(path.join(FIXTURE_INBOX, from), 'utf8');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = text.endsWith(eol) ? text : text + eol;
  fs.writeFileSync(path.join(inbox, to), body + extra.map((l) => l + eol).join(''));
}

/** The SI enrollment rows of one unit: the four mandatory types, active, 3 insured. */
function enrollmentRows(unitId: string, e: Picked): string[] {
  // The fixture's columns: 单位社保编号, 统一社会信用代码, 组织机构代码, 单位名称, aae140, 参保状态, 参保日期, 参保人数, aab022, 所属区县.
  return ['养老', '失业', '医疗', '工伤'].map((type) =>
    [unitId, e.uscc, '', e.name, type, '正常参保', '2026年10月20日', '3', 'F5299', e.district_code].join('\t'),
  );
}

async function cases(database: string): Promise<Case[]> {
  return (await query(
    database,
    `SELECT case_id, employer_id, rule_id, state, opened_run, state_run, reopen_count FROM cases ORDER BY case_id`,
  )) as unknown as Case[];
}

async function events(database: string, runId: string): Promise<Event[]> {
  return (await query(database, `SELECT case_id, from_state, to_state, reason FROM case_events WHERE run_id = $1 ORDER BY case_id`, [
    runId,
  ])) as unknown as Event[];
}

/** Transition counts of one run, as "from->to (reason)": n. */
function tally(list: Event[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of list) {
    const key = `${e.from_state ?? '-'}->${e.to_state} (${e.reason})`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe('cases across runs: fixed findings resolve, new ones open, ids are kept, a relapse reopens the old case', () => {
  let work: Workdir;
  let pipeline: PipelineConfig;
  const runs: RunResult[] = [];
  let before: Case[];
  let fixed: Picked[];
  let lapsed: Case;
  let newcomer: { uscc: string; name: string };

  const run = async (): Promise<RunResult> => {
    const r = await runPipeline(pipeline, { logger: silentLogger() });
    expect(r.status).toBe('succeeded');
    expect(r.asOf).toBe(AS_OF);
    expect(r.rules?.month).toBe('2026-09-01');
    runs.push(r);
    return r;
  };

  beforeAll(async () => {
    work = workdir({ source: FIXTURE_INBOX, asOf: AS_OF });
    pipeline = loadPipeline(work.pipelineFile);
    await run();
    before = await cases(work.database);
    // Two employers whose only case is uninsured: registry enterprises with a valid USCC and no
    // tax or SI record, so enrolling them in every mandatory type fixes that case and starts no other.
    fixed = (await query(
      work.database,
      `SELECT c.employer_id, c.case_id, e.uscc, e.name, e.district_code
       FROM cases c JOIN employers e USING (employer_id)
       WHERE c.rule_id = 'uninsured' AND e.kind = 'enterprise' AND e.uscc IS NOT NULL
         AND e.in_registration AND NOT e.in_tax AND NOT e.in_si
         AND (SELECT count(*) FROM cases x WHERE x.employer_id = c.employer_id) = 1
       ORDER BY c.employer_id LIMIT 2`,
    )) as unknown as Picked[];
    lapsed = before.find((c) => c.rule_id === 'lapsed') as Case;
    newcomer = { uscc: makeUscc('9', '1', '320505', 'MA7RNK3T'), name: '苏州云岫新材料科技有限公司' };
  });

  it('first run: every finding is a new case', async () => {
    const first = runs[0] as RunResult;
    expect(before.length).toBe(first.rules?.findings);
    expect(before.every((c) => c.state === 'new' && c.opened_run === first.runId)).toBe(true);
    expect(fixed).toHaveLength(2);
    expect(lapsed).toBeDefined();
    expect(await query(work.database, `SELECT count(*) AS n FROM employers WHERE uscc = $1 OR name = $2`, [newcomer.uscc, newcomer.name])).toEqual([{ n: 0 }]);
    expect(tally(await events(work.database, first.runId))).toEqual({ '-->new (found)': before.length });
  });

  it('second run on November snapshots: two enrolled employers resolve, one new uninsured employer opens, the rest keep their ids', async () => {
    // (a) the two employers now have SI units; every other row of the October snapshot is delivered again.
    redeliver(work.inbox, ENROLLMENT, '社保单位参保登记_20261130.csv', [
      ...enrollmentRows('0099000001', fixed[0] as Picked),
      ...enrollmentRows('0099000002', fixed[1] as Picked),
    ]);
    // (b) a company registered in 2025, 6 staff in its annual report, not insured.
    redeliver(work.inbox, REGISTRY, '市场监管_企业登记信息_20261130.csv', [
      `${newcomer.uscc},${newcomer.name},,null,有限责任公司(自然人投资或控股),林晓,2025年3月12日,存续,C2929,其他塑料制品制造,50(万元人民币),320505,枫桥街道,6,0512-66001234,null`,
    ]);
    const second = await run();
    const loaded = (second.ingest?.results ?? [])
      .filter((r) => r.status === 'loaded')
      .map((r) => path.basename(r.file))
      .sort();
    expect(loaded).toEqual(['市场监管_企业登记信息_20261130.csv', '社保单位参保登记_20261130.csv']);
    expect(second.link?.newEmployers).toBe(1);

    const after = await cases(work.database);
    const byId = new Map(after.map((c) => [c.case_id, c]));
    // Fixed: resolved in this run, same id.
    for (const f of fixed) {
      expect(byId.get(f.case_id)).toMatchObject({ employer_id: f.employer_id, rule_id: 'uninsured', state: 'resolved', state_run: second.runId });
    }
    expect(
      await query(work.database, `SELECT count(*) AS n FROM findings WHERE run_id = $1 AND employer_id IN ($2, $3)`, [
        second.runId,
        fixed[0]?.employer_id,
        fixed[1]?.employer_id,
      ]),
    ).toEqual([{ n: 0 }]);
    // (c) everything else persists under its old id, including the lapsed case.
    const persisting = before.filter((c) => !fixed.some((f) => f.case_id === c.case_id));
    for (const c of persisting)
      expect(byId.get(c.case_id), c.case_id).toMatchObject({ employer_id: c.employer_id, rule_id: c.rule_id, state: 'open', opened_run: runs[0]?.runId });
    expect(byId.get(lapsed.case_id)).toMatchObject({ rule_id: 'lapsed', state: 'open', state_run: second.runId });
    // The newcomer: a new employer with one new uninsured case under an id never used before.
    const minted = after.filter((c) => !before.some((b) => b.case_id === c.case_id));
    expect(minted).toHaveLength(1);
    const newCase = minted[0] as Case;
    expect(newCase).toMatchObject({ rule_id: 'uninsured', state: 'new', opened_run: second.runId, state_run: second.runId });
    expect(await query(work.database, `SELECT uscc, name FROM employers WHERE employer_id = $1`, [newCase.employer_id])).toEqual([newcomer]);
    expect(before.some((c) => c.employer_id === newCase.employer_id)).toBe(false);
    expect(await query(work.database, `SELECT severity FROM findings WHERE run_id = $1 AND case_id = $2`, [second.runId, newCase.case_id])).toEqual([
      { severity: 'high' },
    ]);

    expect(second.cases).toEqual({ opened: 1, resolved: 2, reopened: 0 });
    expect(second.rules?.findings).toBe(before.length - 2 + 1);
    const moved = await events(work.database, second.runId);
    expect(tally(moved)).toEqual({
      '-->new (found)': 1,
      'new->open (still found)': persisting.length,
      'new->resolved (no longer found)': 2,
    });
    expect(
      moved
        .filter((e) => e.to_state === 'resolved')
        .map((e) => e.case_id)
        .sort(),
    ).toEqual(fixed.map((f) => f.case_id).sort());
  });

  it('third run with nothing new: no ids minted, the only event is the newcomer going new -> open', async () => {
    const casesBefore = await cases(work.database);
    const employersBefore = await query(work.database, `SELECT employer_id FROM employers ORDER BY employer_id`);
    const third = await run();
    expect(third.ingest?.loaded).toBe(0);
    expect(third.link?.newEmployers).toBe(0);
    expect(third.cases).toEqual({ opened: 0, resolved: 0, reopened: 0 });

    const after = await cases(work.database);
    expect(after.map((c) => c.case_id)).toEqual(casesBefore.map((c) => c.case_id));
    expect(await query(work.database, `SELECT employer_id FROM employers ORDER BY employer_id`)).toEqual(employersBefore);
    const newCase = casesBefore.find((c) => c.state === 'new') as Case;
    expect(await events(work.database, third.runId)).toEqual([{ case_id: newCase.case_id, from_state: 'new', to_state: 'open', reason: 'still found' }]);
    // Nothing else moved: same states, same state_run.
    const changed = after.filter((c) => {
      const b = casesBefore.find((x) => x.case_id === c.case_id) as Case;
      return b.state !== c.state || b.state_run !== c.state_run;
    });
    expect(changed.map((c) => c.case_id)).toEqual([newCase.case_id]);
  });

  it('fourth run: one enrollment is gone again, and its resolved case comes back reopened under its old id', async () => {
    const [relapsed, stays] = fixed as [Picked, Picked];
    // December snapshot: the October rows plus the second employer only.
    redeliver(work.inbox, ENROLLMENT, '社保单位参保登记_20261215.csv', enrollmentRows('0099000002', stays));
    const casesBefore = await cases(work.database);
    const fourth = await run();
    expect(fourth.cases).toEqual({ opened: 0, resolved: 0, reopened: 1 });

    const after = await cases(work.database);
    expect(after.map((c) => c.case_id)).toEqual(casesBefore.map((c) => c.case_id));
    const byId = new Map(after.map((c) => [c.case_id, c]));
    expect(byId.get(relapsed.case_id)).toMatchObject({
      employer_id: relapsed.employer_id,
      rule_id: 'uninsured',
      state: 'reopened',
      opened_run: runs[0]?.runId,
      state_run: fourth.runId,
      reopen_count: 1,
    });
    expect(byId.get(stays.case_id)).toMatchObject({ state: 'resolved', state_run: runs[1]?.runId, reopen_count: 0 });
    expect(await events(work.database, fourth.runId)).toEqual([
      { case_id: relapsed.case_id, from_state: 'resolved', to_state: 'reopened', reason: 'found again' },
    ]);
    expect(await query(work.database, `SELECT case_id FROM findings WHERE run_id = $1 AND employer_id = $2`, [fourth.runId, relapsed.employer_id])).toEqual([
      { case_id: relapsed.case_id },
    ]);
    // The whole history of that case, run by run.
    expect(await query(work.database, `SELECT run_id, from_state, to_state FROM case_events WHERE case_id = $1 ORDER BY run_id`, [relapsed.case_id])).toEqual([
      { run_id: runs[0]?.runId, from_state: null, to_state: 'new' },
      { run_id: runs[1]?.runId, from_state: 'new', to_state: 'resolved' },
      { run_id: fourth.runId, from_state: 'resolved', to_state: 'reopened' },
    ]);
  });

  it('why D stays pinned: the November snapshot date would close 2026-10, a month the fixture has no ledger for', async () => {
    expect(closedMonth('2026-11-30', 15)).toBe('2026-10-01');
    expect(await query(work.database, `SELECT strftime(max(period), '%Y-%m') AS m FROM si_payment_current`)).toEqual([{ m: '2026-09' }]);
    expect(await query(work.database, `SELECT strftime(max(as_of), '%Y-%m-%d') AS d FROM manifest WHERE status = 'loaded'`)).toEqual([{ d: '2026-12-15' }]);
  });
});
