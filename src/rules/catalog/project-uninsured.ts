import type { RuleDefinition } from '../types.ts';

/** 新开工项目未参加工伤保险 (先参保、再开工): a permit issued in the last year, no project enrolment. */
export const projectUninsured: RuleDefinition = {
  id: 'project_uninsured',
  subject: 'project',
  title: '新开工项目未参保',
  description:
    'A construction_permit issued after D - 1 year (calendar; the same day a year earlier is out) and on or before D - grace_days, whatever its status; no si_project row (any status) enrolled on or before D with the same permit_no, nor with the same contractor USCC (an si_project row without one: the USCC of the employer its unit links to) and the same normalised project name. One finding per permit number (its earliest issued_on); it belongs to the contractor linked by USCC (employer empty when the USCC fails its check or is not in the registry). High. Amount: contract amount (万元) x 10000 x project_injury_rate (local parameter of the period containing D, default 0.0015).',
  version: 1,
  params: {
    grace_days: { default: 7, description: 'days after issue before a permit without project insurance is a finding', min: 0, integer: true },
  },
  requires: ['project_facts.permit_no', 'project_facts.issued_on', 'project_facts.insured_by', 'project_facts.contract_amount'],
  exemptWhenClosed: true,
  amountFormula: '合同金额（万元）× 10000 × 工伤保险项目费率（project_injury_rate）',
  sql: `-- rule=project_uninsured
SELECT employer_id, permit_no, 'high' AS severity,
       CAST(round(contract_amount * 10000 * $injury_rate, 2) AS DECIMAL(18, 2)) AS amount,
       json_object('project_name', project_name, 'issued_on', strftime(issued_on, '%Y-%m-%d'),
                   'days_since', date_diff('day', issued_on, CAST($as_of AS DATE)), 'contract_amount', contract_amount,
                   'contractor_uscc', contractor_uscc, 'contractor_issue', contractor_issue) AS evidence,
       '项目未参保：' || coalesce(project_name, '') || '，施工许可证 ' || permit_no || '，发证 ' || strftime(issued_on, '%Y-%m-%d') AS evidence_text
FROM project_facts
WHERE issued_on > CAST(CAST($as_of AS DATE) - INTERVAL 1 YEAR AS DATE)
  AND issued_on <= CAST($as_of AS DATE) - to_days(CAST($p_grace_days AS INTEGER))
  AND insured_by IS NULL`,
};
