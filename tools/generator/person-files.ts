/**
 * The person-level files of the inbox (EXPORTS.md kinds 7-10): their names, encodings, title
 * rows and header spellings (drawn from the aliases of EXPORTS.md, recognisable as exactly one
 * kind), and how the rows of the person model become cells. Every file draws from its own
 * random stream (`person-file:<name>`), so the employer files are untouched by them.
 */
import { CONTRACTS, normaliseHeader } from '../../src/sources/index.ts';
import { hashLabel, Rng } from './random.ts';
import { ymd } from './dates.ts';
import type { Cell, FileStyle, Value } from './dirty.ts';
import { drawStyle, formatCsv, formatXlsx } from './dirty.ts';
import { INS_TEXT, SI_STATUS_TEXT } from './inbox.ts';
import type { PlannedColumn } from './inbox.ts';
import type { Employer } from './model.ts';
import type { AidOffice, AidRow, IitRow, Person, PersonInsType, ResidentRow, SiPersonRow } from './person-model.ts';
import type { Delimiter, Encoding, TableWriter } from './writers.ts';
import { openWriter } from './writers.ts';

export const PERSON_KINDS = ['iit_detail', 'si_person', 'resident_pension', 'assistance'] as const;
export type PersonKind = (typeof PERSON_KINDS)[number];

interface PersonColumn {
  name: string;
  required?: boolean;
  aliases: string[];
}

/** The columns and header spellings of EXPORTS.md "Person-level and project kinds" (kinds 7-10). */
export const PERSON_CONTRACTS: Record<PersonKind, PersonColumn[]> = {
  iit_detail: [
    { name: 'taxpayer_id', required: true, aliases: ['扣缴义务人纳税人识别号', '扣缴单位纳税人识别号', '扣缴义务人识别号'] },
    { name: 'agent_name', aliases: ['扣缴义务人名称', '扣缴单位名称'] },
    { name: 'period', required: true, aliases: ['税款所属期', '所属期', '所属月份'] },
    { name: 'id_type', aliases: ['证件类型', '身份证件类型'] },
    { name: 'id_no', required: true, aliases: ['证件号码', '身份证件号码', '身份证号'] },
    { name: 'person_name', required: true, aliases: ['姓名'] },
    { name: 'income_item', aliases: ['所得项目'] },
    { name: 'income', required: true, aliases: ['本期收入', '收入额', '收入'] },
    { name: 'employment_type', aliases: ['任职受雇从业类型'] },
    { name: 'employed_on', aliases: ['任职受雇从业日期'] },
    { name: 'left_on', aliases: ['离职日期'] },
  ],
  si_person: [
    { name: 'person_no', required: true, aliases: ['个人编号', '个人社保编号', 'aac001'] },
    { name: 'id_no', required: true, aliases: ['公民身份号码', '身份证号码', '证件号码', 'aac002'] },
    { name: 'person_name', required: true, aliases: ['姓名', 'aac003'] },
    { name: 'unit_id', aliases: ['单位编号', 'aab001'] },
    { name: 'insurance_type', required: true, aliases: ['险种', '险种类型', 'aae140'] },
    { name: 'status', required: true, aliases: ['个人缴费状态', '参保状态', '缴费状态', 'aac008', 'aac031'] },
    { name: 'person_type', aliases: ['人员类别', '人员身份'] },
    { name: 'enrolled_on', aliases: ['本次参保日期', '参保日期', 'aac030'] },
    { name: 'base', aliases: ['缴费基数', '个人缴费基数', '月缴费基数'] },
    { name: 'last_paid_period', aliases: ['末次缴费年月', '最后缴费年月', '缴费截止年月'] },
    { name: 'phone', aliases: ['联系电话', '手机号码'] },
    { name: 'district_code', aliases: ['所属区县', '行政区划代码'] },
    { name: 'street', aliases: ['所属街道', '街道(乡镇)'] },
  ],
  resident_pension: [
    { name: 'id_no', required: true, aliases: ['公民身份号码', '身份证号码', '证件号码'] },
    { name: 'person_name', required: true, aliases: ['姓名'] },
    { name: 'status', required: true, aliases: ['参保状态'] },
    { name: 'year', required: true, aliases: ['缴费年度'] },
    { name: 'paid_amount', aliases: ['缴费金额', '个人缴费金额'] },
    { name: 'funding', aliases: ['资金来源', '缴费类型'] },
    { name: 'identity', aliases: ['参保身份'] },
    { name: 'district_code', aliases: ['所属区县'] },
    { name: 'street', aliases: ['所属街道', '乡镇(街道)'] },
  ],
  assistance: [
    { name: 'id_no', required: true, aliases: ['身份证号码', '公民身份号码', '证件号码'] },
    { name: 'person_name', required: true, aliases: ['姓名'] },
    { name: 'category', required: true, aliases: ['类别', '救助类别', '人员类别'] },
    { name: 'since', aliases: ['起始日期', '享受起始日期', '认定日期'] },
    { name: 'until', aliases: ['停止日期', '终止日期', '退出日期'] },
    { name: 'district_code', required: true, aliases: ['所属区县', '行政区划代码'] },
    { name: 'street', aliases: ['所属街道', '乡镇(街道)'] },
    { name: 'community', aliases: ['社区', '村(社区)'] },
  ],
};

/** Optional columns always written because the person truth depends on them. */
const KEEP: Record<PersonKind, string[]> = {
  iit_detail: ['id_type', 'income_item', 'employment_type', 'employed_on', 'left_on'],
  si_person: ['unit_id', 'person_type', 'base', 'last_paid_period'],
  resident_pension: ['funding'],
  assistance: ['since', 'until'],
};

/**
 * The kinds (employer kinds of src/sources and the four person kinds) whose required columns
 * all appear among these headers.
 */
export function allKindsMatching(headers: string[]): string[] {
  const seen = new Set(headers.map(normaliseHeader));
  const has = (aliases: string[]): boolean => aliases.some((a) => seen.has(normaliseHeader(a)));
  const out: string[] = [];
  for (const contract of Object.values(CONTRACTS)) if (contract.columns.filter((c) => c.required).every((c) => has(c.aliases))) out.push(contract.kind);
  for (const kind of PERSON_KINDS) if (!out.includes(kind) && PERSON_CONTRACTS[kind].filter((c) => c.required).every((c) => has(c.aliases))) out.push(kind);
  return out;
}

/** Draws a person file's header: an alias per column, a few optional ones left out, recognisable as exactly this kind. */
export function drawPersonColumns(rng: Rng, kind: PersonKind, extraSerial: boolean): PlannedColumn[] {
  const columns = PERSON_CONTRACTS[kind];
  for (let attempt = 0; attempt < 200; attempt++) {
    const drawn: PlannedColumn[] = [];
    for (const col of columns) {
      if (!col.required && !KEEP[kind].includes(col.name) && rng.chance(0.2)) continue;
      drawn.push({ name: col.name, header: rng.pick(col.aliases) });
    }
    const headers = drawn.map((c) => c.header);
    const unique = new Set(headers.map(normaliseHeader)).size === headers.length;
    const ambiguous = drawn.some((c) => columns.some((o) => o.name !== c.name && o.aliases.some((a) => normaliseHeader(a) === normaliseHeader(c.header))));
    const kinds = allKindsMatching(headers);
    if (unique && !ambiguous && kinds.length === 1 && kinds[0] === kind) return extraSerial ? [{ name: '#serial', header: '序号' }, ...drawn] : drawn;
  }
  throw new Error(`could not draw an unambiguous header for ${kind}`);
}

/** One person file of the inbox. */
export interface PersonFile {
  kind: PersonKind;
  name: string;
  format: 'csv' | 'xlsx';
  encoding: Encoding;
  delimiter: Delimiter;
  titles: string[];
  columns: PlannedColumn[];
  style: FileStyle;
  /** For assistance: the office whose roll it is. */
  office?: AidOffice;
  /** For iit_detail: the main file, or the correction (更正申报) of one agent's month. */
  role?: 'main' | 'correction';
  sheet: string;
  /** Which spelling of insurance types and statuses dominates (code, full name, short name). */
  spelling: 0 | 1 | 2;
  rng: Rng;
}

/** The person files of a run (the correction file only in mixed mode). */
export function planPersonFiles(seed: number, asOf: number, cityName: string, mode: 'mixed' | 'csv'): PersonFile[] {
  const { y, m, d } = ymd(asOf);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const ymdText = `${y}${p2(m)}${p2(d)}`;
  const cn = `${y}年${m}月${d}日`;
  const plan = (
    kind: PersonKind,
    name: string,
    format: 'csv' | 'xlsx',
    encoding: Encoding,
    delimiter: Delimiter,
    titles: string[],
    sheet: string,
    extra: Partial<PersonFile> = {},
  ): PersonFile => {
    const rng = new Rng(seed, `person-file:${name}`);
    return {
      kind,
      name,
      format,
      encoding,
      delimiter,
      titles,
      sheet,
      columns: drawPersonColumns(rng, kind, format === 'xlsx' && rng.chance(0.5)),
      style: drawStyle(rng, format === 'xlsx', mode === 'mixed'),
      spelling: rng.pick([0, 1, 2] as const),
      rng,
      ...extra,
    };
  };
  if (mode === 'csv') {
    return [
      plan('iit_detail', `个税全员全额扣缴申报明细_${y}${p2(m)}.csv`, 'csv', 'utf8', ',', [], '', { role: 'main' }),
      plan('si_person', `社保个人参保信息_${ymdText}.csv`, 'csv', 'utf8', ',', [], ''),
      plan('resident_pension', `城乡居民基本养老保险参保缴费_${ymdText}.csv`, 'csv', 'utf8', ',', [], ''),
      plan('assistance', `民政_低保特困人员名单_${ymdText}.csv`, 'csv', 'utf8', ',', [], '', { office: 'civil' }),
      plan('assistance', `残联_残疾人名单_${ymdText}.csv`, 'csv', 'utf8', ',', [], '', { office: 'disability' }),
      plan('assistance', `乡村振兴_脱贫人口和监测对象名单_${ymdText}.csv`, 'csv', 'utf8', ',', [], '', { office: 'rural' }),
    ];
  }
  // The main detail file is the earlier delivery (its as-of date is 11 days before D); the
  // correction of one agent's month came later, on D, and wins for that agent and month.
  const early = ymd(asOf - 11);
  return [
    plan('iit_detail', `个税全员全额扣缴申报明细_${early.y}${p2(early.m)}${p2(early.d)}.csv`, 'csv', 'gbk', ',', [], '', { role: 'main' }),
    plan('iit_detail', `个税全员全额扣缴申报_更正申报_${ymdText}.xlsx`, 'xlsx', 'utf8', ',', [], '更正申报', { role: 'correction' }),
    plan('si_person', `社保个人参保信息_${ymdText}.xlsx`, 'xlsx', 'utf8', ',', [`${cityName}社会保险个人参保信息（截至${cn}）`], '个人参保信息'),
    plan('resident_pension', `城乡居民基本养老保险参保缴费_${ymdText}.csv`, 'csv', 'utf8bom', ',', [], ''),
    plan(
      'assistance',
      `民政_低保特困人员名单_${ymdText}.xlsx`,
      'xlsx',
      'utf8',
      ',',
      [`${cityName}最低生活保障和特困供养人员名单`, `数据截至：${cn}`],
      '低保特困',
      { office: 'civil' },
    ),
    plan('assistance', `残联_残疾人名单_${ymdText}.csv`, 'csv', 'gbk', ',', [], '', { office: 'disability' }),
    plan('assistance', `乡村振兴_脱贫人口和监测对象名单_${ymdText}.csv`, 'csv', 'utf8', '|', [], '', { office: 'rural' }),
  ];
}

const PERSON_INS_TEXT: Record<PersonInsType, [string, string, string]> = {
  ...INS_TEXT,
  '120': ['120', '机关事业单位基本养老保险', '机关养老'],
};
const RESIDENT_STATUS_TEXT: Record<ResidentRow['status'], [string, string]> = {
  active: ['正常参保', '1'],
  suspended: ['暂停', '2'],
  terminated: ['终止', '3'],
  receiving: ['领取待遇', '待遇领取'],
};
const FUNDING_TEXT: Record<NonNullable<ResidentRow['funding']>, [string, string]> = {
  personal: ['个人缴费', '1'],
  daijiao: ['政府代缴', '11'],
  subsidy: ['财政补贴', '3'],
};

const text = (v: string): Value => ({ t: 'text', v });
const code = (v: string): Value => ({ t: 'code', v });
const raw = (v: string): Value => ({ t: 'raw', v });
const empty: Value = { t: 'empty' };
const dateOrEmpty = (v: number | null): Value => (v === null ? empty : { t: 'date', v });

/** The ID cell: a planted spelling exactly as given, a resident ID with the file's code noise, other documents as they are. */
function idValue(p: Person, written: string | undefined): Value {
  if (written !== undefined) return raw(written);
  return p.idType === '居民身份证' ? code(p.idNo) : text(p.idNo);
}

/** A mobile number derived from the person, so all their rows carry the same one. */
function phoneOf(p: Person): string {
  const h = hashLabel(p.idNo);
  return `1${'35789'.charAt(h % 5)}${String(h % 1_000_000_000).padStart(9, '0')}`;
}

/** One open person file. */
class PersonOutput {
  readonly writer: TableWriter;
  rows = 0;

  constructor(
    readonly file: PersonFile,
    path: string,
    asOf: number,
  ) {
    this.writer = openWriter(path, file.format, file.encoding, file.delimiter, file.sheet || 'Sheet1', asOf);
    for (const title of file.titles) this.writer.write([title]);
    this.writer.write(file.columns.map((c) => c.header));
  }

  write(values: Record<string, Value>): void {
    this.rows++;
    const cells: Cell[] = this.file.columns.map((c) => {
      if (c.name === '#serial') return this.file.format === 'xlsx' ? this.rows : String(this.rows);
      const v = values[c.name] ?? empty;
      return this.file.format === 'xlsx' ? formatXlsx(v, this.file.style, this.file.rng) : formatCsv(v, this.file.style, this.file.rng);
    });
    this.writer.write(cells);
  }
}

/** The open person files of a run and how each row type is written. */
export class PersonFiles {
  private readonly outputs: PersonOutput[] = [];
  private readonly main: PersonOutput;
  private readonly si: PersonOutput;
  private readonly resident: PersonOutput;
  private readonly aid: Map<AidOffice, PersonOutput>;
  private readonly correctionFile: PersonFile | undefined;
  /** The rows of the corrected (agent, month), held until the end (one agent's month). */
  private correction: { agent: Employer; month: number; rows: { p: Person; r: IitRow }[] } | undefined;

  constructor(
    private readonly dir: string,
    plan: PersonFile[],
    private readonly asOf: number,
  ) {
    const open = (f: PersonFile): PersonOutput => {
      const o = new PersonOutput(f, `${dir}/${f.name}`, asOf);
      this.outputs.push(o);
      return o;
    };
    const find = (pred: (f: PersonFile) => boolean): PersonFile => {
      const f = plan.find(pred);
      if (f === undefined) throw new Error('person file missing from the plan');
      return f;
    };
    this.main = open(find((f) => f.kind === 'iit_detail' && f.role === 'main'));
    this.correctionFile = plan.find((f) => f.kind === 'iit_detail' && f.role === 'correction');
    this.si = open(find((f) => f.kind === 'si_person'));
    this.resident = open(find((f) => f.kind === 'resident_pension'));
    this.aid = new Map(plan.filter((f) => f.kind === 'assistance').map((f) => [f.office as AidOffice, open(f)]));
  }

  /** Whether this run writes a correction file. */
  get corrects(): boolean {
    return this.correctionFile !== undefined;
  }

  /** Marks an agent's month as corrected: the main file gets `stale` instead, the correction file the true rows. */
  startCorrection(agent: Employer, month: number): void {
    this.correction = { agent, month, rows: [] };
  }

  /** The agent whose month is corrected, if any. */
  correctedAgent(): { agent: string; month: number } | undefined {
    return this.correction === undefined ? undefined : { agent: this.correction.agent.key, month: this.correction.month };
  }

  /** Writes an iit_detail row; `stale` is how the earlier delivery wrote a corrected row (null: it was missing). */
  iit(p: Person, r: IitRow, e: Employer, stale?: Partial<IitRow> | null): void {
    const c = this.correction;
    if (c !== undefined && c.agent.key === e.key && c.month === r.month) {
      c.rows.push({ p, r });
      if (stale === null) return;
      if (stale !== undefined) {
        this.main.write(this.iitValues(p, { ...r, ...stale }, e, this.main));
        return;
      }
    }
    this.main.write(this.iitValues(p, r, e, this.main));
  }

  /** Writes an si_person row. */
  siRow(p: Person, r: SiPersonRow): void {
    const o = this.si;
    const rng = o.file.rng;
    o.write({
      person_no: text(p.personNo ?? ''),
      id_no: idValue(p, r.idWritten),
      person_name: text(r.nameWritten ?? p.name),
      unit_id: r.unitId === null ? empty : text(r.unitId),
      insurance_type: text(PERSON_INS_TEXT[r.type][rng.chance(0.1) ? rng.int(0, 2) : o.file.spelling]),
      status: text(SI_STATUS_TEXT[r.status][rng.chance(0.1) ? rng.int(0, 2) : o.file.spelling]),
      person_type: text(r.personType),
      enrolled_on: dateOrEmpty(r.enrolledOn),
      base: r.base === null ? empty : { t: 'money', v: r.base },
      last_paid_period: r.lastPaid === null ? empty : { t: 'period', v: r.lastPaid },
      phone: text(phoneOf(p)),
      district_code: text(r.districtCode),
      street: text(r.street),
    });
  }

  /** Writes a resident_pension row. */
  residentRow(p: Person, r: ResidentRow): void {
    const o = this.resident;
    const rng = o.file.rng;
    const style = o.file.spelling % 2;
    o.write({
      id_no: idValue(p, r.idWritten),
      person_name: text(p.name),
      status: text(RESIDENT_STATUS_TEXT[r.status][rng.chance(0.1) ? 1 - style : style] as string),
      year: { t: 'int', v: r.year },
      paid_amount: r.paid === null ? empty : { t: 'money', v: r.paid },
      funding: r.funding === null ? empty : text(FUNDING_TEXT[r.funding][rng.chance(0.1) ? 1 - style : style] as string),
      identity: text(r.identity),
      district_code: text(r.districtCode),
      street: text(r.street),
    });
  }

  /** Writes an assistance row into its office's roll. */
  aidRow(p: Person, r: AidRow): void {
    const o = this.aid.get(r.office);
    if (o === undefined) throw new Error(`no assistance file for ${r.office}`);
    o.write({
      id_no: idValue(p, r.idWritten),
      person_name: text(p.name),
      category: text(r.category),
      since: dateOrEmpty(r.since),
      until: dateOrEmpty(r.until),
      district_code: text(r.districtCode),
      street: text(r.street),
      community: text(r.community),
    });
  }

  /** Waits for the files' buffers. */
  async drain(): Promise<void> {
    for (const o of this.outputs) await o.writer.drain();
  }

  /** Writes the correction file (when one agent's month was corrected) and closes everything. */
  async close(): Promise<{ file: string; kind: string; rows: number; headers: string[] }[]> {
    const c = this.correction;
    if (this.correctionFile !== undefined && c !== undefined) {
      const { y, m } = ymd(Date.UTC(Math.floor(c.month / 12), c.month % 12, 1) / 86_400_000);
      const file: PersonFile = {
        ...this.correctionFile,
        titles: ['个人所得税全员全额扣缴申报表（更正申报）', `扣缴义务人：${c.agent.tax?.name ?? c.agent.name}　税款所属期：${y}年${m}月`],
      };
      const o = new PersonOutput(file, `${this.dir}/${file.name}`, this.asOf);
      for (const { p, r } of c.rows) o.write(this.iitValues(p, r, c.agent, o));
      this.outputs.push(o);
    }
    for (const o of this.outputs) await o.writer.close();
    return this.outputs.map((o) => ({ file: o.file.name, kind: o.file.kind, rows: o.rows, headers: o.file.columns.map((c) => c.header) }));
  }

  private iitValues(p: Person, r: IitRow, e: Employer, o: PersonOutput): Record<string, Value> {
    const tax = e.tax;
    if (tax === null) throw new Error(`iit_detail row for ${e.key} without a taxpayer`);
    if (this.agent?.key !== e.key) this.agent = { key: e.key, id: code(tax.id), name: text(tax.name) };
    const idType = r.idTypeWritten === undefined ? p.idType : r.idTypeWritten;
    // A few rows leave the defaults empty in mixed files (empty means 正常工资薪金 / 雇员).
    const blank = o.file.style.variety > 0.1;
    return {
      taxpayer_id: this.agent.id,
      agent_name: this.agent.name,
      period: this.cached(this.periods, r.month, () => ({ t: 'period', v: r.month })),
      id_type: idType === null ? empty : this.constant(idType),
      id_no: idValue(p, r.idWritten),
      person_name: text(p.name),
      income_item: r.itemBlank && blank ? empty : this.constant(r.item),
      income: { t: 'money', v: r.income },
      employment_type: r.typeBlank && blank ? empty : this.constant(r.employmentType),
      employed_on: r.employedOn === null ? empty : this.cached(this.dates, r.employedOn, () => ({ t: 'date', v: r.employedOn as number })),
      left_on: r.leftOn === null ? empty : this.cached(this.dates, r.leftOn, () => ({ t: 'date', v: r.leftOn as number })),
    };
  }

  // Values that repeat on millions of rows are made once (fewer objects for the collector).
  private agent: { key: string; id: Value; name: Value } | undefined;
  private readonly periods = new Map<number, Value>();
  private readonly dates = new Map<number, Value>();
  private readonly texts = new Map<string, Value>();

  private cached(map: Map<number, Value>, key: number, make: () => Value): Value {
    let v = map.get(key);
    if (v === undefined) {
      v = make();
      if (map.size < 50_000) map.set(key, v);
    }
    return v;
  }

  private constant(v: string): Value {
    let out = this.texts.get(v);
    if (out === undefined) {
      out = text(v);
      if (this.texts.size < 1000) this.texts.set(v, out);
    }
    return out;
  }
}
