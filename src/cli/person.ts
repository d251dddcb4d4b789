import { Command } from 'commander';
import type { PersonMatch, PersonView } from './person-view.ts';
import { EXIT } from './exit.ts';
import { DEFAULT_PIPELINE } from './run.ts';
import { AUDIT_FILE } from './unmask-audit.ts';

/** The person rules' titles when the catalog does not name them (a database written by a later release). */
const PERSON_RULE_ZH: Readonly<Record<string, string>> = {
  person_uninsured: '未参保职工',
  person_base_low: '个人缴费基数不实',
  person_lapsed: '断缴人员',
  assistance_not_covered: '困难群体未代缴',
};

const SEX_ZH: Readonly<Record<string, string>> = { M: '男', F: '女' };

const ISSUE_EN: Readonly<Record<string, string>> = {
  bad_check: 'its check character is wrong',
  bad_birth_date: 'its birth date is not a possible date',
  bad_format: 'it is neither 18 characters nor 15 digits',
};

/** Labels of the columns the view adds to the sources' own (which come from their contracts). */
const VIEW_COLUMN_ZH: Readonly<Record<string, string>> = {
  employer_id: '单位编号',
  employer_name: '关联单位',
  uscc: '统一社会信用代码',
  id_type: '证件类型',
  income_class: '收入类别',
  employment_class: '雇员类别',
  status_class: '状态类别',
  person_class: '人员类别（归类）',
  funding_class: '资金来源（归类）',
  category_class: '类别（归类）',
  src_line: '文件行号',
  file_id: '文件',
  period: '所属期',
  year: '缴费年度',
};

export interface PersonOutputOptions {
  /** Full ID numbers, phones and the birth date (recorded in the unmask audit). */
  unmask: boolean;
}

/**
 * The view as it may be shown: unless --unmask, every ID number (resident IDs inside any text)
 * and mobile number masked, and the birth date left out (with the masked ID, 6+4, it would give
 * the number back: the hidden 8 characters are the birth date).
 */
export async function shownView(view: PersonView, options: PersonOutputOptions): Promise<PersonView> {
  if (options.unmask) return view;
  const masked = (await maskedDeep(view)) as PersonView;
  return { ...masked, person: { ...masked.person, birth_date: null } };
}

/** An ID column's value masked 6+4 whatever it holds (a number that fails its check is still someone's). */
export function maskIdColumn(value: string): string {
  const chars = [...value];
  return chars.length >= 12 ? `${chars.slice(0, 6).join('')}${'*'.repeat(chars.length - 10)}${chars.slice(-4).join('')}` : '*'.repeat(chars.length);
}

/** Every string masked (ID and mobile numbers inside any text), the ID columns (id_no, id_no_raw) whatever they hold. */
async function maskedDeep(value: unknown): Promise<unknown> {
  const { maskPersonal } = await import('../core/personal.ts');
  const deep = (v: unknown, key = ''): unknown => {
    if (typeof v === 'string') return key === 'id_no' || key === 'id_no_raw' ? maskIdColumn(v) : maskPersonal(v);
    if (Array.isArray(v)) return v.map((x) => deep(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x, k)]));
    return v;
  };
  return deep(value);
}

/** The matches as they may be shown (ID numbers masked unless --unmask). */
export async function shownMatches(matches: PersonMatch[], options: PersonOutputOptions): Promise<PersonMatch[]> {
  if (options.unmask) return matches;
  const { maskIdNumbers } = await import('../core/personal.ts');
  return matches.map((m) => ({ ...m, id_no: maskIdNumbers(m.id_no) }));
}

/** What `recon person` prints: the view as text for a terminal, in Chinese. */
export async function formatPersonView(v: PersonView, ruleTitles: ReadonlyMap<string, string>): Promise<string> {
  const [{ textTable, cellText, caseHistoryText }, labels] = await Promise.all([import('./text-table.ts'), import('../publish/labels.ts')]);
  const { zh } = labels;
  const t = (value: unknown): string => cellText(value);
  const label = (kind: string, column: string): string => {
    const own = labels.columnZh(kind, column);
    return own !== column ? own : (VIEW_COLUMN_ZH[column] ?? column);
  };
  const money = (n: unknown): string => (typeof n === 'number' ? n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : t(n));
  const none = '  （无）\n';
  const p = v.person;
  let out = `${t(p.person_name) || '（姓名未知）'}  [${p.person_key}]\n`;
  out += `  公民身份号码 ${p.id_no}  性别 ${zh(SEX_ZH, p.sex) || '（未知）'}`;
  out += p.age !== null ? `  年龄 ${p.age}${v.as_of ? `（截至 ${v.as_of}）` : ''}` : '';
  out += p.birth_date ? `  出生日期 ${p.birth_date}` : '';
  out += '\n';
  out += `  首次出现 ${t(p.first_run) || '—'}  最近出现 ${t(p.last_run) || '—'}\n\n`;

  /** A source's rows as a table, the columns that are empty everywhere left out. */
  const rowsTable = (kind: string, rows: Array<Record<string, unknown>>, drop: string[] = []): string => {
    const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter(
      (k) => !drop.includes(k) && !k.endsWith('_raw') && rows.some((r) => r[k] !== null && r[k] !== undefined && r[k] !== ''),
    );
    return textTable(
      keys.map((k) => ({
        key: k,
        header: label(kind, k),
        max: 30,
        ...(typeof rows[0]?.[k] === 'number' && k !== 'src_line' && k !== 'year' ? { align: 'right' as const } : {}),
      })),
      rows.map((r) => Object.fromEntries(keys.map((k) => [k, ['income', 'base', 'paid_amount'].includes(k) && typeof r[k] === 'number' ? money(r[k]) : r[k]]))),
      { indent: '    ' },
    );
  };

  const wageRows = v.wages.reduce((n, a) => n + a.rows.length, 0);
  out += `工资薪金 个税全员全额扣缴明细 (iit_detail)：${v.wages.length} 个扣缴义务人，${wageRows} 行\n`;
  if (v.wages.length === 0) out += none;
  for (const a of v.wages) {
    const months = new Set(a.rows.map((r) => r['period'])).size;
    out += `  扣缴义务人 ${t(a.agent_name) || '（无名称）'}（${t(a.taxpayer_id) || '无识别号'}）`;
    out += a.employer_id ? ` → 单位 ${t(a.employer_name) || '（无名称）'} [${a.employer_id}]` : ' → （未关联到单位）';
    out += `，${months} 个月\n`;
    out += rowsTable('iit_detail', a.rows, ['file_id', 'src_line', 'id_type', 'income_class', 'employment_class']);
  }
  out += '\n';

  out += `社保个人参保 (si_person)：${v.si_person.length} 行\n`;
  out += v.si_person.length ? rowsTable('si_person', v.si_person, ['file_id', 'src_line', 'uscc', 'status_class', 'person_class']) : none;
  out += '\n';
  out += `城乡居民基本养老保险 (resident_pension)：${v.resident_pension.length} 行\n`;
  out += v.resident_pension.length ? rowsTable('resident_pension', v.resident_pension, ['file_id', 'src_line', 'status_class', 'funding_class']) : none;
  out += '\n';
  out += `困难群体名单 (assistance)：${v.assistance.length} 行\n`;
  out += v.assistance.length ? rowsTable('assistance', v.assistance, ['file_id', 'src_line']) : none;
  out += '\n';

  out += `关联单位（扣缴义务人、参保单位 → 单位）\n`;
  out += v.employers.length
    ? textTable(
        [
          { key: 'via', header: '来源' },
          { key: 'code', header: '识别号/单位编号' },
          { key: 'name', header: '名称', max: 30 },
          { key: 'employer_id', header: '单位编号' },
          { key: 'employer_name', header: '单位名称', max: 30 },
          { key: 'uscc', header: '统一社会信用代码' },
        ],
        v.employers.map((e) => ({ ...e, via: e.via === 'iit_agent' ? '个税扣缴义务人' : '社保参保单位', employer_id: e.employer_id ?? '（未关联）' })),
        { indent: '  ' },
      )
    : none;
  out += '\n';

  out += `案件 (cases)：${v.cases.length}\n`;
  if (v.cases.length === 0) out += none;
  for (const c of v.cases) {
    const title = ruleTitles.get(c.rule_id) ?? PERSON_RULE_ZH[c.rule_id] ?? c.rule_id;
    out += `  ${c.case_id}  ${title} (${c.rule_id})  状态 ${zh(labels.CASE_STATE_ZH, c.state)}  优先级 ${zh(labels.SEVERITY_ZH, c.severity) || '—'}`;
    out += `  立案 ${c.opened_on ?? c.opened_run}  最近发现 ${c.last_found_on ?? c.last_found_run ?? '—'}`;
    out += c.amount !== null ? `  估算金额 ${money(c.amount)} 元\n` : '\n';
    out += `    单位 ${c.employer_id ? `${t(c.employer_name) || '（无名称）'} [${c.employer_id}]` : '（本人，无单位）'}\n`;
    if (c.evidence_text) out += `    问题说明 ${c.evidence_text}\n`;
    out += caseHistoryText(c, labels);
  }
  return out;
}

/** Rows whose ID failed its check, per source (the file and line say where to correct it). */
async function formatInvalidRows(rows: Record<string, Array<Record<string, unknown>>>): Promise<string> {
  const [{ textTable }, labels] = await Promise.all([import('./text-table.ts'), import('../publish/labels.ts')]);
  let out = '';
  for (const [kind, list] of Object.entries(rows)) {
    const keys = [...new Set(list.flatMap((r) => Object.keys(r)))].filter((k) => list.some((r) => r[k] !== null && r[k] !== undefined && r[k] !== ''));
    out += `${labels.sourceZh(kind)} (${kind})：${list.length} 行\n`;
    out += textTable(
      keys.map((k) => ({ key: k, header: labels.columnZh(kind, k) !== k ? labels.columnZh(kind, k) : (VIEW_COLUMN_ZH[k] ?? k), max: 30 })),
      list,
      { indent: '  ' },
    );
  }
  return out;
}

/** The list printed when a lookup matches several people. */
async function formatMatches(matches: PersonMatch[], more: boolean): Promise<string> {
  const { textTable } = await import('./text-table.ts');
  const { zh } = await import('../publish/labels.ts');
  return `${more ? `More than ${matches.length}` : matches.length} people match; name one by its person key (人员编号) or ID number:\n${textTable(
    [
      { key: 'person_key', header: '人员编号' },
      { key: 'person_name', header: '姓名' },
      { key: 'id_no', header: '公民身份号码' },
      { key: 'sex', header: '性别' },
      { key: 'age', header: '年龄', align: 'right' },
      { key: 'employers', header: '发放工资的单位', max: 50 },
    ],
    matches.map((m) => ({ ...m, sex: zh(SEX_ZH, m.sex) })),
    { indent: '  ' },
  )}`;
}

/** `recon person`: the one-person view for analysts (个人一户式). */
export function personCommand(): Command {
  return new Command('person')
    .description(
      'Show one person across every source (个人一户式): wage rows per withholding agent, SI enrollment, resident pension, assistance rolls, the employers they link to, and the cases with their history',
    )
    .argument('<query>', 'resident ID number (18 or 15 digits), person key (P + 9 digits), or name (part)')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .option('--json', 'print JSON instead of text')
    .option('--unmask', `show full ID numbers, phones and the birth date (each use is recorded in <output>/${AUDIT_FILE})`)
    .addHelpText(
      'after',
      `\nExamples:\n  recon person 320505198001011234\n  recon person 张伟          (several people: a list to choose from)\n  recon person P000000042 --json\nID numbers are masked (320505********1234) and mobile numbers too (139****5678) unless --unmask.\nEmployers: recon employer <单位编号>`,
    )
    .action(async (query: string, opts: { pipeline: string; db?: string; json?: boolean; unmask?: boolean }) => {
      const [{ withPublishedDb }, { loadPipeline }, view, { RULE_CATALOG }, { maskIdNumbers }, { openUnmaskAudit }] = await Promise.all([
        import('./published.ts'),
        import('../config/pipeline-file.ts'),
        import('./person-view.ts'),
        import('../rules/catalog/index.ts'),
        import('../core/personal.ts'),
        import('./unmask-audit.ts'),
      ]);
      const pipeline = loadPipeline(opts.pipeline, opts.db ? { database: opts.db } : {});
      const options: PersonOutputOptions = { unmask: opts.unmask === true };
      const audit = options.unmask ? openUnmaskAudit(pipeline.output) : undefined;
      const json = (value: unknown): string => `${JSON.stringify(value, (_, x) => (typeof x === 'bigint' ? Number(x) : x), 2)}\n`;
      let shown = 0;
      let keys: string[] = [];
      let failure: unknown;
      try {
        await withPublishedDb(opts, async (db) => {
          const lookup = view.parseLookup(query);
          if (lookup.kind === 'invalid_id') {
            // Never joined (RULES.md): the rows as delivered, so the office can see which file to correct.
            const rows = await view.invalidIdRows(db, lookup.folded);
            shown = Object.values(rows).reduce((n, r) => n + r.length, 0);
            const safe = options.unmask ? rows : ((await maskedDeep(rows)) as typeof rows);
            process.stderr.write(
              `${options.unmask ? lookup.folded : maskIdColumn(lookup.folded)} is not a valid resident ID (${ISSUE_EN[lookup.issue]}): it is never matched to a person. ${shown ? `Rows that carry it as written: ${shown}.` : 'No row carries it.'}\n`,
            );
            if (shown) process.stdout.write(opts.json ? json(safe) : await formatInvalidRows(safe));
            process.exitCode = EXIT.failed;
            return;
          }
          keys = await view.findPersons(db, lookup);
          if (keys.length === 0) {
            // The lookup is not repeated: it may be a name or an ID number (personal data, never in messages).
            const what = lookup.kind === 'name' ? 'that name' : lookup.kind === 'key' ? lookup.key : maskIdNumbers(lookup.id);
            process.stderr.write(`No person matches ${what} in the current data (没有匹配的人员).\n`);
            process.exitCode = EXIT.failed;
            return;
          }
          if (keys.length > 1) {
            const more = keys.length > 50;
            const matches = await view.personMatches(db, keys.slice(0, 50));
            const out = await shownMatches(matches, options);
            shown = out.length;
            process.stdout.write(opts.json ? json({ matches: out, more }) : await formatMatches(out, more));
            return;
          }
          const found = await view.personView(db, keys[0] as string);
          if (!found) throw new Error(`person ${keys[0]} vanished while it was read`);
          shown = found.wages.reduce((n, a) => n + a.rows.length, 0) + found.si_person.length + found.resident_pension.length + found.assistance.length;
          const out = await shownView(found, options);
          const titles = new Map(RULE_CATALOG.map((r) => [r.id, r.title]));
          process.stdout.write(opts.json ? json(out) : await formatPersonView(out, titles));
        });
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        audit?.record({
          command: 'person',
          lookup: query,
          rows: shown,
          person_keys: keys.slice(0, 50),
          status: failure === undefined ? 'ok' : 'failed',
          ...(failure === undefined ? {} : { error: String((failure as Error).message ?? failure).split('\n')[0] ?? '' }),
        });
      }
    });
}
