import { Command } from 'commander';
import type { EmployerView } from '../link/view.ts';
import { EXIT } from './exit.ts';
import { DEFAULT_PIPELINE } from './run.ts';

/** The view with each case's rule title (the rules sit above the link layer, so they are added here). */
export type EmployerReport = Omit<EmployerView, 'cases'> & { cases: Array<EmployerView['cases'][number] & { rule_title: string }> };

/** What `recon employer` prints: the view as text for a terminal, in Chinese where the data's codes have names. */
export async function formatEmployerView(v: EmployerReport): Promise<string> {
  const [{ textTable, cellText, caseHistoryText }, labels, { columnDoc }] = await Promise.all([
    import('./text-table.ts'),
    import('../publish/labels.ts'),
    import('../db/catalog.ts'),
  ]);
  const { zh, sourceZh } = labels;
  const e = v.employer;
  const t = (value: unknown): string => cellText(value);
  const none = '  （无）\n';
  const district = e['district_name'] ? `${t(e['district_name'])}（${t(e['district_code'])}）` : t(e['district_code']) || '（未知）';
  let out = `${t(e['name'])}  [${t(e['employer_id'])}]\n`;
  out += `  统一社会信用代码 ${t(e['uscc']) || '（无）'}  类型 ${zh(labels.EMPLOYER_KIND_ZH, e['kind']) || '（未知）'}  区县 ${district}  街道 ${t(e['street']) || '（无）'}\n`;
  const sources = [
    ['in_registration', '市场监管登记'],
    ['in_civil', '民政登记'],
    ['in_tax', '税务'],
    ['in_si', '社保'],
  ].flatMap(([k, label]) => (e[k as string] === true ? [label as string] : []));
  out += `  来源：${sources.join('、') || '（无）'}\n\n`;

  out += `Cases (案件) (${v.cases.length})\n`;
  if (v.cases.length === 0) out += none;
  for (const c of v.cases) {
    out += `  ${c.case_id}  ${c.rule_title} (${c.rule_id})  状态 ${zh(labels.CASE_STATE_ZH, c.state)}  立案 ${c.opened_on ?? c.opened_run}  最近发现 ${c.last_found_on ?? c.last_found_run ?? '—'}`;
    out += c.amount !== null ? `  估算金额 ${c.amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 元\n` : '\n';
    if (c.evidence_text) out += `    问题说明 ${c.evidence_text}\n`;
    out += caseHistoryText(c, labels);
  }
  out += '\n';

  out += `How the records were linked (关联方式)\n`;
  out += v.links.length
    ? textTable(
        [
          { key: 'source', header: '来源' },
          { key: 'record_key', header: '记录键' },
          { key: 'name', header: '名称', max: 30 },
          { key: 'district_code', header: '区县代码' },
          { key: 'method', header: '关联方式' },
          { key: 'score', header: '得分' },
          { key: 'rule', header: '依据', max: 50 },
        ],
        v.links.map((l) => ({ ...l, source: sourceZh(l['source']), method: zh(labels.LINK_METHOD_ZH, l['method']) })),
        { indent: '  ' },
      )
    : none;
  out += '\n';

  for (const [source, all] of Object.entries(v.records)) {
    // The columns as `recon tables <kind>_current` names them (the export's Chinese headers, 注册资本（万元）, ...).
    const label = (k: string): string => columnDoc(`${source}_current`, k)?.[0] ?? k;
    // Raw spellings and provenance stay in --json; people read the typed values.
    const rows = all.map((r) => Object.fromEntries(Object.entries(r).filter(([k, val]) => !k.endsWith('_raw') && k !== 'src_line' && val !== null)));
    out += `${sourceZh(source)} (${rows.length})\n`;
    if (rows.length <= 2) {
      for (const r of rows)
        out += `${Object.entries(r)
          .map(([k, val]) => `  ${label(k)}: ${t(val)}`)
          .join('\n')}\n\n`;
    } else {
      const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      out += `${textTable(
        keys.map((k) => ({ key: k, header: label(k), max: 30 })),
        rows,
        { indent: '  ' },
      )}\n`;
    }
  }

  out += `Data quality (数据质量问题)\n`;
  out += v.dataQuality.length
    ? textTable(
        [
          { key: 'category', header: '问题类别' },
          { key: 'source', header: '来源' },
          { key: 'record_key', header: '记录键' },
          { key: 'detail', header: '说明', fill: true },
        ],
        v.dataQuality.map((d) => ({
          category: zh(labels.DQ_CATEGORY_ZH, d['category']),
          source: sourceZh(d['source']),
          record_key: d['record_key'],
          detail: labels.detailZh(d['detail'], d['source']),
        })),
        { indent: '  ' },
      )
    : none;
  out += `\nUncertain links (待人工确认)\n`;
  out += v.review.length
    ? textTable(
        [
          { key: 'source', header: '来源' },
          { key: 'record_key', header: '记录键' },
          { key: 'name', header: '名称', max: 30 },
          { key: 'candidate_name', header: '候选单位', max: 30 },
          { key: 'score', header: '相似度' },
          { key: 'reason', header: '原因', max: 40 },
        ],
        v.review.map((r) => ({ ...r, source: sourceZh(r['source']) })),
        { indent: '  ' },
      )
    : none;
  out += `\nNotices (告知书)\n`;
  out += v.notices.length
    ? textTable(
        [
          { key: 'notice_id', header: '告知编号' },
          { key: 'kind', header: '告知原因' },
          { key: 'case_id', header: '案件编号' },
          { key: 'sent_on', header: '发送日期' },
          { key: 'deadline', header: '办理期限' },
          { key: 'run_id', header: '运行' },
        ],
        v.notices.map((n) => ({ ...n, kind: zh(labels.NOTICE_KIND_ZH, n['kind']) })),
        { indent: '  ' },
      )
    : none;
  return out;
}

/** `recon employer`: the one-employer view for analysts. */
export function employerCommand(): Command {
  return new Command('employer')
    .description('Show one employer across every source (一户式): its records, how they were linked and why, its cases and their history')
    .argument('<query>', 'employer id, USCC, SI unit id, taxpayer id, or part of a name')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .option('--json', 'print JSON instead of text')
    .action(async (query: string, opts: { pipeline: string; db?: string; json?: boolean }) => {
      const [{ withPublishedDb }, { textList }, { findEmployers, employerView }, { BUILTIN_RULES }, { textTable }] = await Promise.all([
        import('./published.ts'),
        import('../db/database.ts'),
        import('../link/view.ts'),
        import('../rules/catalog/index.ts'),
        import('./text-table.ts'),
      ]);
      await withPublishedDb(opts, async (db) => {
        const ids = await findEmployers(db, query);
        if (ids.length === 0) {
          process.stderr.write(`No employer matches "${query}".\n`);
          process.exitCode = EXIT.failed;
          return;
        }
        if (ids.length > 1) {
          const list = await db.all<{ employer_id: string; name: string; uscc: string | null }>(
            `SELECT employer_id, name, uscc FROM employers WHERE employer_id IN (SELECT unnest($1::VARCHAR[])) ORDER BY employer_id`,
            [textList(ids)],
          );
          process.stdout.write(
            `${ids.length} employers match "${query}"; name one by its id:\n${textTable(
              [
                { key: 'employer_id', header: '单位编号' },
                { key: 'name', header: '单位名称', max: 40 },
                { key: 'uscc', header: '统一社会信用代码' },
              ],
              list,
              { indent: '  ' },
            )}`,
          );
          return;
        }
        const view = await employerView(db, ids[0] as string);
        const titles = new Map(BUILTIN_RULES.map((r) => [r.id, r.title]));
        const report: EmployerReport = { ...view, cases: view.cases.map((c) => ({ ...c, rule_title: titles.get(c.rule_id) ?? c.rule_id })) };
        process.stdout.write(
          opts.json ? `${JSON.stringify(report, (_, v) => (typeof v === 'bigint' ? Number(v) : v), 2)}\n` : await formatEmployerView(report),
        );
      });
    });
}
