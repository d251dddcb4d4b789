import type { SourceContract } from './contract.ts';

/** Civil-affairs registration status -> class. */
export const CIVIL_STATUS: Record<string, string> = {
  正常: 'active',
  注销: 'closed',
  撤销: 'revoked',
};

/** 民政: the civil-affairs registry of social organisations. */
export const civilOrg: SourceContract = {
  kind: 'civil_org',
  label: '社会组织登记信息',
  agency: '民政',
  monthly: false,
  key: 'uscc',
  columns: [
    { name: 'uscc', label: '统一社会信用代码', type: 'code', required: true, aliases: ['统一社会信用代码'] },
    { name: 'name', label: '社会组织名称', type: 'text', required: true, aliases: ['社会组织名称', '名称'] },
    { name: 'org_type', label: '社会组织类型', type: 'text', aliases: ['社会组织类型', '类型'] },
    { name: 'status', label: '登记状态', type: 'enum', required: true, classColumn: 'status_class', values: CIVIL_STATUS, aliases: ['登记状态', '状态'] },
    { name: 'established_on', label: '成立登记日期', type: 'date', aliases: ['成立登记日期', '成立日期'] },
    { name: 'address', label: '住所', type: 'text', aliases: ['住所'] },
    { name: 'legal_rep', label: '法定代表人', type: 'text', aliases: ['法定代表人'] },
    { name: 'employees', label: '从业人员数', type: 'int', aliases: ['从业人员数', '专职工作人员数'] },
    { name: 'district_code', label: '行政区划代码', type: 'code', aliases: ['登记管理机关代码', '行政区划代码'] },
  ],
};
