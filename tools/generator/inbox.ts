/**
 * The inbox: which files a run writes, their names, encodings, delimiters and title rows, the
 * header spelling each file uses (drawn from the contract aliases), and how an employer's
 * clean records become rows of each kind.
 */
import { CONTRACTS, KINDS, normaliseHeader } from '../../src/sources/index.ts';
import type { Kind } from '../../src/sources/index.ts';
import type { Cell, FileStyle, Value } from './dirty.ts';
import { drawStyle, formatCsv, formatXlsx } from './dirty.ts';
import { breakCheckChar } from './codes.ts';
import { ymd } from './dates.ts';
import type { Employer, InsType, SiStatus } from './model.ts';
import { Rng } from './random.ts';
import type { Delimiter, Encoding } from './writers.ts';

/** A column of a planned file: canonical name (or an extra column) and the header text used. */
export interface PlannedColumn {
  name: string;
  header: string;
}

/** One file of the inbox. */
export interface PlannedFile {
  kind: Kind;
  name: string;
  format: 'csv' | 'xlsx';
  encoding: Encoding;
  delimiter: Delimiter;
  titles: string[];
  columns: PlannedColumn[];
  style: FileStyle;
  /** Which employers' rows go here (registration split); undefined = all of the kind. */
  select?: (e: Employer) => boolean;
  /** Inclusive month range for monthly kinds. */
  months?: [number, number];
  /** The earlier of two payment files: rows of the overlap month are stale (not yet paid). */
  staleMonth?: number;
  /** The kind of ghost employer whose record a planted bad row copies. */
  ghostKind: 'enterprise' | 'individual' | 'social_org';
  /** Insurance type and status spellings used by this file. */
  insStyle: 0 | 1 | 2;
  rng: Rng;
  /**
   * The stream of the columns added after the first fixture (LATE): their cells draw from it,
   * never from `rng`, so adding them left every other cell of the file as it was.
   */
  late: Rng;
}

/**
 * Columns added to a kind after the first fixture, and the column they follow: written in
 * every file of the kind (when its contract has them), under the header the plan names.
 */
export const LATE: Partial<Record<Kind, { column: string; after: string }>> = {
  registration: { column: 'former_names', after: 'name' },
  si_enrollment: { column: 'org_code', after: 'uscc' },
};

/** The separators of a registry's former names (EXPORTS.md). */
export const FORMER_NAME_SEPARATORS = [';', '；', '、', '|'] as const;

/** Columns always written because the truth depends on them (kinds not listed: none; the person kinds are in person-files.ts). */
const KEEP: Partial<Record<Kind, string[]>> = {
  registration: ['industry_code', 'district_code', 'street', 'employees', 'closed_on', 'entity_type'],
  tax_registration: ['registered_on'],
  tax_withholding: ['name'],
  civil_org: ['established_on', 'employees', 'district_code', 'org_type'],
  grid_roster: ['community', 'phone'],
  targets: [],
  si_enrollment: ['uscc', 'insured_count', 'district_code', 'enrolled_on', 'industry_code'],
  si_payment: ['insured_count'],
};

/** The kinds whose required columns all appear among these headers. */
export function kindsMatching(headers: string[]): Kind[] {
  const seen = new Set(headers.map(normaliseHeader));
  return KINDS.filter((kind) => CONTRACTS[kind].columns.filter((c) => c.required).every((c) => c.aliases.some((a) => seen.has(normaliseHeader(a)))));
}

/**
 * Draws a header for a kind: an alias per column, optional columns sometimes left out, recognisable
 * as exactly this kind. The LATE column of the kind is not drawn (no draw from `rng`): it goes in
 * after its column under `lateHeader`, whenever the contract has it.
 */
export function drawColumns(rng: Rng, kind: Kind, extraSerial: boolean, lateHeader?: string): PlannedColumn[] {
  const contract = CONTRACTS[kind];
  const late = LATE[kind];
  const lateColumn = late !== undefined && lateHeader !== undefined && contract.columns.some((c) => c.name === late.column) ? late : undefined;
  for (let attempt = 0; attempt < 200; attempt++) {
    const columns: PlannedColumn[] = [];
    for (const col of contract.columns) {
      if (col.name === late?.column) continue;
      if (!col.required && !(KEEP[kind] ?? []).includes(col.name) && rng.chance(0.25)) continue;
      columns.push({ name: col.name, header: rng.pick(col.aliases) });
    }
    if (lateColumn !== undefined && lateHeader !== undefined) {
      const at = columns.findIndex((c) => c.name === lateColumn.after);
      columns.splice(at < 0 ? columns.length : at + 1, 0, { name: lateColumn.column, header: lateHeader });
    }
    const headers = columns.map((c) => c.header);
    const unique = new Set(headers.map(normaliseHeader)).size === headers.length;
    // A header that is also an alias of another column of the same kind would be ambiguous.
    const ambiguous = columns.some((c) =>
      contract.columns.some((o) => o.name !== c.name && o.aliases.some((a) => normaliseHeader(a) === normaliseHeader(c.header))),
    );
    const kinds = kindsMatching(headers);
    if (unique && !ambiguous && kinds.length === 1 && kinds[0] === kind) {
      return extraSerial ? [{ name: '#serial', header: '序号' }, ...columns] : columns;
    }
  }
  throw new Error(`could not draw an unambiguous header for ${kind}`);
}

/** The files of a run. */
export function planInbox(seed: number, asOf: number, firstMonth: number, lastMonth: number, cityName: string, mode: 'mixed' | 'csv'): PlannedFile[] {
  const { y, m, d } = ymd(asOf);
  const ymdText = `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
  const ym = `${y}${String(m).padStart(2, '0')}`;
  const cn = `${y}年${m}月${d}日`;
  const plan = (
    kind: Kind,
    name: string,
    format: 'csv' | 'xlsx',
    encoding: Encoding,
    delimiter: Delimiter,
    titles: string[],
    extra: Partial<PlannedFile> & { lateHeader?: string } = {},
  ): PlannedFile => {
    const rng = new Rng(seed, `file:${name}`);
    const { lateHeader, ...rest } = extra;
    return {
      kind,
      name,
      format,
      encoding,
      delimiter,
      titles,
      columns: drawColumns(rng, kind, format === 'xlsx' && rng.chance(0.5), lateHeader),
      style: drawStyle(rng, format === 'xlsx', mode === 'mixed'),
      insStyle: rng.pick([0, 1, 2] as const),
      ghostKind: kind === 'civil_org' ? 'social_org' : 'enterprise',
      rng,
      late: new Rng(seed, `file:${name}:late`),
      ...rest,
    };
  };
  const monthText = (month: number): string => `${Math.floor(month / 12)}年${(month % 12) + 1}月`;
  if (mode === 'csv') {
    return [
      plan('registration', `市场监管_市场主体登记_${ymdText}.csv`, 'csv', 'utf8', ',', [], { lateHeader: '历史名称' }),
      plan('tax_registration', `税务登记_${y}-${String(m).padStart(2, '0')}.csv`, 'csv', 'gbk', ',', []),
      plan('tax_withholding', `个税扣缴申报${ym}.csv`, 'csv', 'utf8', ',', []),
      plan('civil_org', `民政_社会组织登记_${ymdText}.csv`, 'csv', 'utf8', ',', []),
      plan('si_enrollment', `社保单位参保登记_${ymdText}.csv`, 'csv', 'gbk', ',', [], { lateHeader: 'aab003' }),
      plan('si_payment', `社保费征收明细_${ymdText}.csv`, 'csv', 'utf8', ',', []),
    ];
  }
  // The later payment file repeats the month where the earlier one ends; the later wins.
  const overlap = Math.max(firstMonth, lastMonth - 3);
  const early = ymd(asOf - 108);
  const earlyText = `${early.y}${String(early.m).padStart(2, '0')}${String(early.d).padStart(2, '0')}`;
  return [
    plan('registration', `市场监管_企业登记信息_${ymdText}.csv`, 'csv', 'utf8bom', ',', [], { select: (e) => e.kind !== 'individual', lateHeader: '曾用名' }),
    plan(
      'registration',
      `${cityName}个体工商户登记信息_${ymdText}.xlsx`,
      'xlsx',
      'utf8',
      ',',
      [`${cityName}市场主体登记信息（截至${cn}）`, '登记机关：各区市场监督管理局　　数据类型：个体工商户'],
      {
        select: (e) => e.kind === 'individual',
        ghostKind: 'individual',
        lateHeader: '历史名称',
      },
    ),
    plan('tax_registration', `税务登记_${y}-${String(m).padStart(2, '0')}.csv`, 'csv', 'gbk', '|', []),
    plan('tax_withholding', `个税扣缴申报${ym}.xlsx`, 'xlsx', 'utf8', ',', [`个人所得税扣缴申报汇总（${monthText(firstMonth)}至${monthText(lastMonth)}）`]),
    plan('civil_org', 'export (3).xlsx', 'xlsx', 'utf8', ',', [`${cityName}社会组织登记信息`, `导出日期：${cn}`]),
    plan('si_enrollment', `社保单位参保登记_${ymdText}.csv`, 'csv', 'utf8', '\t', [], { lateHeader: '组织机构代码' }),
    plan('si_payment', `社保费征收明细_${earlyText}.csv`, 'csv', 'gbk', ',', [], { months: [firstMonth, overlap], staleMonth: overlap }),
    plan('si_payment', `社保费征收明细_${ym}.xlsx`, 'xlsx', 'utf8', ',', [`社保费征收明细（${monthText(overlap)}至${monthText(lastMonth)}）`], {
      months: [overlap, lastMonth],
    }),
  ];
}

export const INS_TEXT: Record<InsType, [string, string, string]> = {
  '110': ['110', '企业职工基本养老保险', '养老'],
  '210': ['210', '失业保险', '失业'],
  '310': ['310', '职工基本医疗保险', '医疗'],
  '410': ['410', '工伤保险', '工伤'],
  '510': ['510', '生育保险', '生育'],
};
export const SI_STATUS_TEXT: Record<SiStatus, [string, string, string]> = {
  active: ['1', '参保缴费', '正常参保'],
  suspended: ['2', '暂停缴费', '暂停'],
  terminated: ['3', '终止缴费', '终止'],
};

const text = (v: string): Value => ({ t: 'text', v });
const code = (v: string): Value => ({ t: 'code', v });
const empty: Value = { t: 'empty' };
const orEmpty = <T>(v: T | null | undefined, f: (x: T) => Value): Value => (v === null || v === undefined ? empty : f(v));

/** A record of one kind: canonical column -> value, plus the link facts of the record. */
export interface KindRecord {
  values: Record<string, Value>;
  /** For links.csv: the record's key column (canonical) and name as written, once per source record. */
  link?: { keyColumn: string; name: string };
}

/** The records an employer contributes to a file. */
export function recordsFor(file: PlannedFile, e: Employer): KindRecord[] {
  const rng = file.rng;
  const insText = (t: InsType): string => INS_TEXT[t][rng.chance(0.1) ? rng.int(0, 2) : file.insStyle];
  switch (file.kind) {
    case 'registration': {
      if (e.unregistered || e.registry.source !== 'registration' || (file.select !== undefined && !file.select(e))) return [];
      const former = e.formerNames ?? [];
      return [
        {
          link: { keyColumn: 'uscc', name: e.name },
          values: {
            uscc: code(e.uscc),
            name: text(e.name),
            former_names: former.length === 0 ? empty : text(former.join(file.late.pick(FORMER_NAME_SEPARATORS))),
            reg_no: orEmpty(e.registry.regNo, code),
            entity_type: text(e.entityType),
            legal_rep: text(e.legalRep),
            established_on: { t: 'date', v: e.established },
            status: text(e.registry.statusText),
            industry_code: text(e.industryCode),
            industry_name: text(e.industryLabel),
            capital: e.capital === null ? empty : { t: 'capital', amount: e.capital.amount, currency: e.capital.currency },
            address: text(e.address),
            district_code: text(e.districtCode),
            street: text(e.street),
            employees: orEmpty(e.employees, (v) => ({ t: 'int', v })),
            phone: text(e.phone),
            closed_on: orEmpty(e.registry.closedOn, (v) => ({ t: 'date', v })),
          },
        },
      ];
    }
    case 'civil_org': {
      if (e.unregistered || e.registry.source !== 'civil_org') return [];
      return [
        {
          link: { keyColumn: 'uscc', name: e.name },
          values: {
            uscc: code(e.uscc),
            name: text(e.name),
            org_type: text(e.orgType ?? e.entityType),
            status: text(e.registry.statusText),
            established_on: { t: 'date', v: e.established },
            address: text(e.address),
            legal_rep: text(e.legalRep),
            employees: orEmpty(e.employees, (v) => ({ t: 'int', v })),
            district_code: text(e.districtCode),
          },
        },
      ];
    }
    case 'tax_registration': {
      const tax = e.tax;
      if (tax === null) return [];
      return [
        {
          link: { keyColumn: 'taxpayer_id', name: tax.name },
          values: {
            taxpayer_id: code(tax.id),
            name: text(tax.name),
            status: text(tax.status),
            registered_on: { t: 'date', v: tax.registeredOn },
            industry: text(e.industryLabel),
            tax_office: text(tax.office),
            address: text(e.address),
          },
        },
      ];
    }
    case 'tax_withholding': {
      const tax = e.tax;
      if (tax === null) return [];
      return tax.withholding.map((w) => ({
        values: {
          taxpayer_id: code(tax.id),
          name: text(tax.name),
          period: { t: 'period', v: w.month },
          headcount: { t: 'int', v: w.headcount },
          wages: { t: 'money', v: w.wages },
          tax_paid: { t: 'money', v: w.taxPaid },
        },
      }));
    }
    case 'si_enrollment': {
      const si = e.si;
      if (si === null) return [];
      const uscc: Value = si.usccWritten === 'valid' ? code(e.uscc) : si.usccWritten === 'broken' ? code(breakCheckChar(e.uscc)) : empty;
      const orgCode = orgCodeCell(file, e);
      return si.enrollments.map((en, i) => ({
        // One link per unit, on its first enrollment row.
        ...(i === 0 ? { link: { keyColumn: 'unit_id', name: si.name } } : {}),
        values: {
          unit_id: text(si.unitId),
          uscc,
          org_code: orgCode,
          name: text(si.name),
          insurance_type: text(insText(en.type)),
          status: text(SI_STATUS_TEXT[en.status][rng.chance(0.1) ? rng.int(0, 2) : file.insStyle]),
          enrolled_on: { t: 'date', v: en.enrolledOn },
          insured_count: { t: 'int', v: en.insuredCount },
          industry_code: text(e.industryCode),
          district_code: text(e.districtCode),
        },
      }));
    }
    case 'si_payment': {
      const si = e.si;
      if (si === null) return [];
      const [from, to] = file.months ?? [-Infinity, Infinity];
      return si.payments
        .filter((p) => p.month >= from && p.month <= to)
        .map((p) => {
          // The earlier export was taken before this month's money arrived: the later file corrects it.
          const stale = p.month === file.staleMonth && p.paid > 0 && rng.chance(0.3);
          return {
            values: {
              unit_id: text(si.unitId),
              period: { t: 'period', v: p.month },
              insurance_type: text(insText(p.type)),
              insured_count: { t: 'int', v: p.count },
              base_total: { t: 'money', v: p.base },
              amount_due: { t: 'money', v: p.due },
              amount_paid: { t: 'money', v: stale ? 0 : p.paid },
              paid_on: stale || p.paidOn === null ? empty : { t: 'date', v: p.paidOn },
            },
          };
        });
    }
    default:
      // The roster is written per street by the inbox writer, the targets per district, the person
      // kinds by person-files.ts: not per employer here.
      return [];
  }
}

/**
 * The 组织机构代码 of a unit: what a planted case set, else for a unit that writes its USCC now
 * and then the organisation code inside it (a fifth of those in the printed form XXXXXXXX-X),
 * else empty. Drawn from the file's late stream, once per unit.
 */
function orgCodeCell(file: PlannedFile, e: Employer): Value {
  const written = e.si?.orgCode;
  if (written !== undefined) return written === '' ? empty : code(written);
  if (e.si?.usccWritten !== 'valid' || !file.late.chance(0.3)) return empty;
  return code(file.late.chance(0.2) ? `${e.orgCode.slice(0, 8)}-${e.orgCode.slice(8)}` : e.orgCode);
}

/** Formats a record into the cells of a file's columns (extra serial column included). */
export function formatRecord(file: PlannedFile, values: Record<string, Value>, serial: number): Cell[] {
  const late = LATE[file.kind]?.column;
  return file.columns.map((c) => {
    if (c.name === '#serial') return file.format === 'xlsx' ? serial : String(serial);
    const v = values[c.name] ?? empty;
    const rng = c.name === late ? file.late : file.rng;
    return file.format === 'xlsx' ? formatXlsx(v, file.style, rng) : formatCsv(v, file.style, rng);
  });
}

/** The kinds of bad row planted in a file, with the column each one breaks. */
export function badRowPlan(kind: Kind): { reason: 'missing' | 'bad_date' | 'bad_period' | 'bad_amount' | 'too_many_columns'; column: string }[] {
  switch (kind) {
    case 'registration':
      return [
        { reason: 'missing', column: 'name' },
        { reason: 'bad_date', column: 'established_on' },
        { reason: 'too_many_columns', column: '' },
      ];
    case 'tax_registration':
      return [
        { reason: 'missing', column: 'taxpayer_id' },
        { reason: 'too_many_columns', column: '' },
      ];
    case 'tax_withholding':
      return [
        { reason: 'missing', column: 'taxpayer_id' },
        { reason: 'bad_period', column: 'period' },
        { reason: 'bad_amount', column: 'wages' },
        { reason: 'too_many_columns', column: '' },
      ];
    case 'civil_org':
      return [
        { reason: 'missing', column: 'name' },
        { reason: 'too_many_columns', column: '' },
      ];
    case 'si_enrollment':
      return [
        { reason: 'missing', column: 'unit_id' },
        { reason: 'too_many_columns', column: '' },
      ];
    case 'si_payment':
      return [
        { reason: 'bad_amount', column: 'amount_paid' },
        { reason: 'bad_period', column: 'period' },
        { reason: 'missing', column: 'unit_id' },
        { reason: 'too_many_columns', column: '' },
      ];
    default:
      return [];
  }
}
