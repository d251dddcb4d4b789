import type { SourceContract } from './contract.ts';
import { SI_STATUS } from './si.ts';

/**
 * The project kinds (EXPORTS.md kinds 11-12): building permits from the construction office
 * (住建 施工许可) and work-injury insurance by project (工伤保险按项目参保), one row per permit or
 * insured project. Permit numbers are codes (NFKC, spaces removed, upper case): the two offices
 * write them the same way once folded. Project names are kept as written; the rules compare
 * them after the employer name rules (src/rules/project-facts.sql). Each is a snapshot: the
 * files of one as-of date are the whole register, a later date replaces it.
 */

/** 项目状态 -> status_class (kept for the lists; the rule counts a permit whatever its status). */
export const PROJECT_STATUS: Record<string, string> = {
  在建: 'building',
  施工中: 'building',
  停工: 'stopped',
  竣工: 'completed',
  已竣工: 'completed',
};

/** 施工许可: one row per building permit. */
export const constructionPermit: SourceContract = {
  kind: 'construction_permit',
  label: '建筑工程施工许可',
  agency: '住建',
  monthly: false,
  key: 'permit_no',
  supersession: 'snapshot',
  columns: [
    { name: 'permit_no', label: '施工许可证编号', type: 'code', required: true, aliases: ['施工许可证编号', '施工许可证号'] },
    { name: 'project_code', label: '项目编码', type: 'code', aliases: ['项目编码', '项目代码'] },
    { name: 'project_name', label: '项目名称', type: 'text', required: true, aliases: ['项目名称', '工程名称'] },
    {
      name: 'contractor_uscc',
      label: '施工单位统一社会信用代码',
      type: 'code',
      required: true,
      aliases: ['施工单位统一社会信用代码', '施工总承包单位统一社会信用代码'],
    },
    { name: 'contractor_name', label: '施工单位名称', type: 'text', aliases: ['施工单位名称', '施工总承包单位', '施工总承包单位名称'] },
    { name: 'issued_on', label: '发证日期', type: 'date', required: true, aliases: ['发证日期'] },
    // 万元 (10,000 yuan), as the construction office writes it.
    { name: 'contract_amount', label: '合同金额（万元）', type: 'money', aliases: ['合同金额（万元）', '合同价格（万元）', '合同金额', '合同价格'] },
    { name: 'district_code', label: '项目所在区县', type: 'code', aliases: ['项目所在区县', '行政区划代码'] },
    { name: 'status', label: '项目状态', type: 'enum', classColumn: 'status_class', values: PROJECT_STATUS, aliases: ['项目状态'] },
  ],
};

/** 工伤保险按项目参保: one row per insured project. */
export const siProject: SourceContract = {
  kind: 'si_project',
  label: '工伤保险项目参保',
  agency: '社保',
  monthly: false,
  key: 'project_id',
  supersession: 'snapshot',
  columns: [
    { name: 'project_id', label: '项目参保编号', type: 'code', required: true, aliases: ['项目参保编号', '参保项目编号'] },
    { name: 'permit_no', label: '施工许可证编号', type: 'code', aliases: ['施工许可证编号', '施工许可证号'] },
    { name: 'project_name', label: '项目名称', type: 'text', required: true, aliases: ['项目名称', '工程名称'] },
    { name: 'unit_id', label: '单位编号', type: 'code', aliases: ['单位编号'] },
    { name: 'contractor_uscc', label: '施工单位统一社会信用代码', type: 'code', aliases: ['施工单位统一社会信用代码', '统一社会信用代码'] },
    { name: 'enrolled_on', label: '参保日期', type: 'date', required: true, aliases: ['参保日期'] },
    { name: 'status', label: '参保状态', type: 'enum', classColumn: 'status_class', values: SI_STATUS, aliases: ['参保状态'] },
  ],
};
