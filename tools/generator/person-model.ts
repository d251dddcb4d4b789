/**
 * The clean model of one generated person: every row the four person-level exports hold about
 * them (EXPORTS.md kinds 7-10), before any value is dirtied for a file. The person truth is
 * computed from this model, the person files are rendered from it. Money is in integer cents.
 */
import type { SiStatus } from './model.ts';

/** Insurance types a person row can carry (120: pension of public institutions' staff). */
export type PersonInsType = '110' | '120' | '210' | '310' | '410' | '510';

/** One iit_detail row: a withholding agent (an employer of the model), a month, an income item. */
export interface IitRow {
  /** The employer key whose taxpayer is the withholding agent. */
  employer: string;
  month: number;
  /** 所得项目: 正常工资薪金, 全年一次性奖金收入, 劳务报酬, ... */
  item: string;
  income: number;
  /** 任职受雇从业类型: 雇员, 实习学生（全日制学历教育）, ... */
  employmentType: string;
  employedOn: number | null;
  leftOn: number | null;
  /** Written without an income item / employment type (both mean the default). */
  itemBlank?: boolean;
  typeBlank?: boolean;
  /** The ID number exactly as this row writes it (planted variants); default: the person's number with the file's code noise. */
  idWritten?: string;
  /** The ID type as written: undefined = the person's type, null = left empty. */
  idTypeWritten?: string | null;
}

/** One si_person row: a person at a unit (or none) for one insurance type. */
export interface SiPersonRow {
  unitId: string | null;
  /** The employer owning the unit (for the truth: "units linked to E"); null for none or a unit outside the model. */
  employer: string | null;
  type: PersonInsType;
  status: SiStatus;
  /** 人员类别: 在职, 退休, 灵活就业, 个体工商户 (退休 also 离休, 退职). */
  personType: string;
  enrolledOn: number | null;
  /** Monthly base in cents; null = not written. */
  base: number | null;
  lastPaid: number | null;
  districtCode: string;
  street: string;
  idWritten?: string;
  nameWritten?: string;
}

/** Status of a resident pension row: 正常参保, 暂停, 终止, 领取待遇. */
export type ResidentStatus = 'active' | 'suspended' | 'terminated' | 'receiving';
/** Funding of a resident pension payment: 个人缴费, 政府代缴, 财政补贴 (a subsidy, not a 代缴). */
export type Funding = 'personal' | 'daijiao' | 'subsidy';

/** One resident_pension row (one per person per year). */
export interface ResidentRow {
  year: number;
  status: ResidentStatus;
  /** Paid amount in cents; null = nothing written. */
  paid: number | null;
  funding: Funding | null;
  identity: string;
  districtCode: string;
  street: string;
  idWritten?: string;
}

/** The office whose roll an assistance row is on. */
export type AidOffice = 'civil' | 'disability' | 'rural';

/** One assistance row (one per person per category). */
export interface AidRow {
  category: string;
  office: AidOffice;
  since: number | null;
  until: number | null;
  districtCode: string;
  street: string;
  community: string;
  idWritten?: string;
}

/** One person with all their rows. */
export interface Person {
  /** Stable key of the generator (P + serial), for debugging only. */
  key: string;
  /** The true ID type: 居民身份证 for residents, else 外国护照, 港澳居民居住证, ... */
  idType: string;
  /** The true number: a resident ID normalised to 18 characters (upper-case X), or the other document's number. */
  idNo: string;
  name: string;
  /** 个人编号 in the SI system, given with the first si_person row. */
  personNo: string | null;
  /** The planted case this person belongs to, or null for background people. */
  case: string | null;
  iit: IitRow[];
  si: SiPersonRow[];
  resident: ResidentRow[];
  aid: AidRow[];
}
