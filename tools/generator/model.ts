/**
 * The clean model of one generated employer: what every agency knows about it, before any
 * value is dirtied for an export. The truth is computed from this model, the inbox files are
 * rendered from it. Money is in integer cents so sums and thresholds are exact.
 */

export type EmployerKind = 'enterprise' | 'individual' | 'coop' | 'social_org';
export type RegClass = 'active' | 'closed' | 'revoked' | 'moved_out' | 'suspended' | 'liquidating';
export type TaxStatus = '正常' | '非正常' | '停业' | '注销' | '清算';
export type SiStatus = 'active' | 'suspended' | 'terminated';
export type InsType = '110' | '210' | '310' | '410' | '510';
export const INS_TYPES: readonly InsType[] = ['110', '210', '310', '410', '510'];

/** One month of individual income tax withholding by the employer. */
export interface WithholdingRow {
  month: number;
  headcount: number;
  wages: number;
  taxPaid: number;
}

/** One unit-month-type contribution row. */
export interface PaymentRow {
  month: number;
  type: InsType;
  count: number;
  base: number;
  due: number;
  paid: number;
  /** Day the money arrived; null when nothing was paid. */
  paidOn: number | null;
}

/** One SI enrollment row (per insurance type). */
export interface Enrollment {
  type: InsType;
  status: SiStatus;
  enrolledOn: number;
  insuredCount: number;
}

/** The registry entry (market regulation, or civil affairs for social organisations). */
export interface RegistryEntry {
  source: 'registration' | 'civil_org';
  statusText: string;
  statusClass: RegClass;
  /** 注销/吊销 date; null when not closed or when the export has no date. */
  closedOn: number | null;
  regNo: string | null;
}

/** The taxpayer record and its withholding history. */
export interface Taxpayer {
  id: string;
  idKind: 'uscc' | 'legacy15' | 'id20';
  /** The name as the tax bureau writes it. */
  name: string;
  status: TaxStatus;
  registeredOn: number;
  office: string;
  withholding: WithholdingRow[];
}

/** The SI unit: enrollment per type and the contribution ledger. */
export interface SiUnit {
  unitId: string;
  /** How the USCC column is filled: the real code, nothing (only name + district), or a mistyped check character. */
  usccWritten: 'valid' | 'none' | 'broken';
  /** The name as the SI system writes it. */
  name: string;
  /**
   * The 组织机构代码 column as written (clean; a planted case may carry a wrong check character);
   * '' = left empty; undefined = the default (empty, or for a unit with its USCC sometimes the
   * organisation code inside it; inbox.ts draws which from the file's own stream).
   */
  orgCode?: string;
  enrollments: Enrollment[];
  payments: PaymentRow[];
}

/** One employer with all it is in the four agencies. */
export interface Employer {
  key: string;
  scenario: string;
  kind: EmployerKind;
  uscc: string;
  /** Characters 9-17 of the USCC (the organisation code). */
  orgCode: string;
  name: string;
  districtCode: string;
  street: string;
  address: string;
  legalRep: string;
  established: number;
  industryCode: string;
  industryLabel: string;
  entityType: string;
  orgType: string | null;
  capital: { amount: number; currency: '万元人民币' | '万美元' } | null;
  /** Registry headcount (annual report); null when not reported. */
  employees: number | null;
  phone: string;
  registry: RegistryEntry;
  tax: Taxpayer | null;
  si: SiUnit | null;
  /** Linking difficulties this employer's records carry (for links.csv). */
  hard: string[];
  /** Former names (曾用名) the registry lists for it, newest first; none for most employers. */
  formerNames?: string[];
  /** Known to no registry: only its SI unit exists (the other side of a planted review pair). */
  unregistered?: true;
}
