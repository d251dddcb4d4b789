/**
 * A JavaScript reference evaluator of docs/rules.md, run over the clean generated model (before
 * any value is dirtied), to write `truth/findings.csv`. It reads the rules literally; every
 * place where the text left a choice is marked "Interpretation" below, and the scenarios are
 * designed so that the expected findings do not hinge on those choices where possible.
 *
 * Interpretations (also listed in truth/README.md):
 * - Closed month M: the last calendar month whose last day is <= D - lag_days (D 2026-10-31,
 *   lag 15 -> M = 2026-09).
 * - "Established on or before D - 30 days" / "less than 30 days before D": established_on <=
 *   D - 30 is old enough; D - 29 is exempt.
 * - Exemptions: "for every rule but arrears and closed_still_enrolled" qualifies only the
 *   closed/revoked/moved-out exemption. Individual businesses with no headcount evidence (H
 *   unknown) and employers established less than 30 days before D are exempt from every rule.
 *   "No headcount evidence" means H unknown; H = 0 (zero withholding declared, or 0 employees
 *   reported) is evidence. Grid-worker feedback: none exists for a fresh fixture.
 * - "Closed, revoked or moved out in the registry": registration status class closed, revoked
 *   or moved_out; for social organisations civil-affairs 注销 (closed) or 撤销 (revoked).
 *   Suspended (停业/歇业) and liquidating (清算) are neither active nor closed.
 * - H for social organisations falls back to the civil-affairs `employees`.
 * - Kind comes from the true USCC (all generated employers have one).
 * - under_enrolled: A is the mean over the months (of M-2..M) that have a withholding row; no
 *   such month -> no finding. The insured count is the pension payment row's count for M,
 *   else the pension enrollment row's count. The test is evaluated exactly:
 *   A - I >= 3 and A - I >= A / 10.
 * - under_declared_base: both conditions are evaluated over the months of M-2..M that have a
 *   pension payment row and a withholding row, on sums over those months: sum(base) < 0.8 x
 *   sum(wages) and sum(wages) - sum(base) >= 10,000; or sum(base) / sum(insured) < floor
 *   (the floor of each month weighted by its insured count; the three months share one floor
 *   in the fixture).
 * - selective_enrollment: industry from the registry's industry code; "high-risk" per
 *   docs/exports.md (B, C25, C26, C30-C32, E47-E50). Mandatory types 110/210/310/410, plus 510
 *   when the local parameters in force on D say maternity is separate.
 * - lapsed: the gap is the run of unpaid months ending at M (a month is unpaid when no row of
 *   any type has amount_paid > 0); "something paid before" means some month < M in the
 *   ledger with amount_paid > 0. Payments before the 12 months of the ledger are unknown.
 * - arrears: summed over all ledger months <= M and all types. Class precedence closed >
 *   dormant > operating. "Withholding headcount 0 for the last 6 months": each of M-5..M has
 *   no withholding row or one with headcount 0. A moved-out entity is not in the closed
 *   class (the rule names only closed/revoked). The late fee is reported in the detail only.
 * - not_declared: "a payment row" means a row of any insurance type; the assessment is 110%
 *   of the sum of amount_due over the types of the latest month with a row.
 * - closed_still_enrolled: "since more than 30 days before D": D - closed_on > 30 days;
 *   exactly 30 days is not enough. No date -> finding.
 * - uninsured amount: "months since established" are whole calendar months from
 *   established_on to D, at least 1, capped at 24; floor and rate from the parameters in force
 *   on D. Amounts are informative (detail column); the key of the truth is (employer, rule).
 */
import type { LocalParams, ParamSet } from '../../src/reference/params.ts';
import { paramsFor } from '../../src/reference/params.ts';
import { firstDayOfMonth, isoOf, wholeMonthsBetween } from './dates.ts';
import type { Employer, InsType, PaymentRow, SiStatus } from './model.ts';
import { isWorkInjuryHighRisk } from '../../src/reference/industries.ts';

/** The rule ids of docs/rules.md, in table order. */
export const RULE_IDS = [
  'uninsured',
  'tax_not_insured',
  'under_enrolled',
  'under_declared_base',
  'selective_enrollment',
  'lapsed',
  'arrears',
  'not_declared',
  'suspended_active',
  'closed_still_enrolled',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** One expected finding. */
export interface TruthFinding {
  rule: RuleId;
  severity: 'high' | 'medium' | 'low' | '';
  /** Evidence and amounts, `key=value;...` (informative). */
  detail: string;
}

/** What the evaluator needs besides the employer. */
export interface TruthContext {
  asOf: number;
  /** Closed month M. */
  closedMonth: number;
  params: LocalParams;
  /** Mandatory insurance types at D. */
  mandatory: InsType[];
}

/** The mandatory insurance types under the parameters in force on D. */
export function mandatoryTypes(params: LocalParams, asOf: number): InsType[] {
  const set = paramsFor(params, isoOf(asOf));
  return set.maternitySeparate ? ['110', '210', '310', '410', '510'] : ['110', '210', '310', '410'];
}

/** The parameter set in force in a month. */
export function paramsForMonth(params: LocalParams, month: number): ParamSet {
  return paramsFor(params, isoOf(firstDayOfMonth(month)));
}

const yuan = (cents: number): string => (cents / 100).toFixed(2);
const toCents = (value: number): number => Math.round(value * 100);

/** Evaluates every rule of docs/rules.md for one employer at D. */
export function evaluateEmployer(e: Employer, ctx: TruthContext): TruthFinding[] {
  const D = ctx.asOf;
  const M = ctx.closedMonth;
  const atD = paramsFor(ctx.params, isoOf(D));
  const floorD = toCents(atD.baseFloor);
  const pensionRateD = atD.employerRates['110'];
  const out: TruthFinding[] = [];

  const regClass = e.registry.statusClass;
  const active = regClass === 'active';
  const closedish = regClass === 'closed' || regClass === 'revoked' || regClass === 'moved_out';

  // Withholding evidence over M-2..M.
  const wh = new Map<number, { headcount: number; wages: number }>();
  for (const row of e.tax?.withholding ?? []) wh.set(row.month, row);
  const w3 = [M - 2, M - 1, M];
  const w3Rows = w3.map((m) => wh.get(m)).filter((r) => r !== undefined);
  const Hw = w3Rows.reduce((max, r) => Math.max(max, r.headcount), 0);
  const H: number | null = w3Rows.length > 0 ? Hw : e.employees;

  const exemptAll = (e.kind === 'individual' && H === null) || e.established > D - 30;
  const exemptOpen = exemptAll || closedish;

  // SI state.
  const status = new Map<InsType, SiStatus>();
  for (const en of e.si?.enrollments ?? []) status.set(en.type, en.status);
  const registeredSI = [...status.values()].some((s) => s === 'active' || s === 'suspended');
  const enrolled = status.get('110') === 'active';
  const payments = (e.si?.payments ?? []).filter((p) => p.month <= M);
  const byMonth = new Map<number, PaymentRow[]>();
  for (const p of payments) {
    const list = byMonth.get(p.month) ?? [];
    list.push(p);
    byMonth.set(p.month, list);
  }
  const pension = (m: number): PaymentRow | undefined => byMonth.get(m)?.find((p) => p.type === '110');
  const taxNormal = e.tax?.status === '正常';

  // uninsured
  const kindShould = e.kind === 'enterprise' || e.kind === 'coop' || e.kind === 'social_org' || (e.kind === 'individual' && H !== null && H >= 1);
  if (!exemptOpen && active && kindShould && e.established <= D - 30 && !registeredSI) {
    const months = Math.min(24, Math.max(1, wholeMonthsBetween(e.established, D)));
    const amount = Math.round(Math.max(H ?? 0, 1) * floorD * pensionRateD * months);
    out.push({
      rule: 'uninsured',
      severity: H !== null && H >= 1 ? 'high' : 'medium',
      detail: `H=${H ?? 'unknown'};months=${months};amount=${yuan(amount)}`,
    });
  }

  // tax_not_insured
  if (!exemptOpen && taxNormal && Hw >= 1 && !registeredSI) {
    out.push({ rule: 'tax_not_insured', severity: 'high', detail: `Hw=${Hw}` });
  }

  // under_enrolled
  if (!exemptOpen && enrolled && w3Rows.length > 0) {
    const n = w3Rows.length;
    const S = w3Rows.reduce((sum, r) => sum + r.headcount, 0);
    const insured = pension(M)?.count ?? e.si?.enrollments.find((en) => en.type === '110')?.insuredCount;
    if (insured !== undefined) {
      const gapTimesN = S - n * insured;
      if (gapTimesN >= 3 * n && 10 * gapTimesN >= S) {
        const gap = gapTimesN / n;
        const amount = Math.round(gap * floorD * pensionRateD * 3);
        out.push({ rule: 'under_enrolled', severity: '', detail: `A=${(S / n).toFixed(2)};insured=${insured};gap=${gap.toFixed(2)};amount=${yuan(amount)}` });
      }
    }
  }

  // under_declared_base
  if (!exemptOpen && enrolled) {
    let base = 0;
    let wages = 0;
    let count = 0;
    let floorWeighted = 0;
    let months = 0;
    for (const m of w3) {
      const p = pension(m);
      const w = wh.get(m);
      if (p === undefined || w === undefined) continue;
      months++;
      base += p.base;
      wages += w.wages;
      count += p.count;
      floorWeighted += toCents(paramsForMonth(ctx.params, m).baseFloor) * p.count;
    }
    if (months > 0) {
      const ratioLow = base * 10 < wages * 8 && wages - base >= 1_000_000;
      const belowFloor = count > 0 && base < floorWeighted;
      if (ratioLow || belowFloor) {
        const amount = Math.round(Math.max(0, wages - base) * pensionRateD);
        out.push({
          rule: 'under_declared_base',
          severity: '',
          detail: `months=${months};wages=${yuan(wages)};base=${yuan(base)};per_person=${count > 0 ? yuan(Math.round(base / count)) : ''};amount=${yuan(amount)}`,
        });
      }
    }
  }

  // selective_enrollment
  if (!exemptOpen && enrolled) {
    const missing = ctx.mandatory.filter((t) => t !== '110' && status.get(t) !== 'active');
    if (missing.length > 0) {
      const high = missing.includes('410') && isWorkInjuryHighRisk(e.industryCode);
      out.push({ rule: 'selective_enrollment', severity: high ? 'high' : 'medium', detail: `missing=${missing.join('/')}` });
    }
  }

  // lapsed
  const paidIn = (m: number): boolean => (byMonth.get(m) ?? []).some((p) => p.paid > 0);
  let gap = 0;
  while (!paidIn(M - gap) && M - gap >= (ledgerStart(payments) ?? M + 1)) gap++;
  const paidBefore = payments.some((p) => p.month < M - gap + 1 && p.paid > 0);
  if (!exemptOpen && gap >= 3 && paidBefore && (active || (taxNormal && H !== null && H >= 1))) {
    out.push({ rule: 'lapsed', severity: '', detail: `gap_months=${gap}` });
  }

  // arrears
  if (!exemptAll) {
    const owed = payments.reduce((sum, p) => sum + (p.due - p.paid), 0);
    if (owed >= 10_000) {
      const last6Zero = [0, 1, 2, 3, 4, 5].every((k) => (wh.get(M - k)?.headcount ?? 0) === 0);
      const cls =
        regClass === 'closed' || regClass === 'revoked' || e.tax?.status === '注销'
          ? 'closed'
          : e.tax?.status === '非正常' || e.tax?.status === '停业' || last6Zero
            ? 'dormant'
            : 'operating';
      // Late fee: 0.05% a day from the 16th of the month after each unpaid month to D.
      let fee = 0;
      for (const p of payments) {
        const unpaid = p.due - p.paid;
        if (unpaid <= 0) continue;
        const from = firstDayOfMonth(p.month + 1) + 15;
        if (D > from) fee += unpaid * 0.0005 * (D - from);
      }
      out.push({ rule: 'arrears', severity: '', detail: `class=${cls};owed=${yuan(owed)};late_fee=${yuan(Math.round(fee))}` });
    }
  }

  // not_declared
  if (!exemptOpen && enrolled && !byMonth.has(M)) {
    const earlier = [...byMonth.keys()].filter((m) => m < M).sort((a, b) => b - a);
    const latest = earlier[0];
    if (latest !== undefined) {
      const due = (byMonth.get(latest) ?? []).reduce((sum, p) => sum + p.due, 0);
      out.push({ rule: 'not_declared', severity: '', detail: `latest=${latest};assessed=${yuan(Math.round(due * 1.1))}` });
    }
  }

  // suspended_active
  const pensionStatus = status.get('110');
  if (!exemptOpen && (pensionStatus === 'suspended' || pensionStatus === 'terminated') && Hw >= 1) {
    out.push({ rule: 'suspended_active', severity: '', detail: `pension=${pensionStatus};Hw=${Hw}` });
  }

  // closed_still_enrolled
  if (!exemptAll && enrolled && closedish) {
    const closedOn = e.registry.closedOn;
    if (closedOn === null || D - closedOn > 30) {
      out.push({ rule: 'closed_still_enrolled', severity: 'low', detail: `closed_on=${closedOn === null ? '' : isoOf(closedOn)}` });
    }
  }

  return out;
}

function ledgerStart(payments: PaymentRow[]): number | undefined {
  let min: number | undefined;
  for (const p of payments) if (min === undefined || p.month < min) min = p.month;
  return min;
}
