import type { SourceContract } from './contract.ts';

/**
 * Insurance type text -> code (110 pension, 120 pension of public institutions' staff, 210
 * unemployment, 310 medical, 410 work injury, 510 maternity).
 */
export const INSURANCE_TYPE: Record<string, string> = {
  '110': '110',
  企业职工基本养老保险: '110',
  养老: '110',
  '120': '120',
  机关事业单位养老保险: '120',
  机关事业单位基本养老保险: '120',
  机关养老: '120',
  '210': '210',
  失业保险: '210',
  失业: '210',
  '310': '310',
  职工基本医疗保险: '310',
  医疗: '310',
  '410': '410',
  工伤保险: '410',
  工伤: '410',
  '510': '510',
  生育保险: '510',
  生育: '510',
};

/** Enrollment status -> class. */
export const SI_STATUS: Record<string, string> = {
  '1': 'active',
  参保缴费: 'active',
  正常参保: 'active',
  '2': 'suspended',
  暂停缴费: 'suspended',
  暂停: 'suspended',
  '3': 'terminated',
  终止缴费: 'terminated',
  终止: 'terminated',
  注销: 'terminated',
};

/** 社保单位参保登记: one row per unit per insurance type. */
export const siEnrollment: SourceContract = {
  kind: 'si_enrollment',
  label: '社保单位参保登记',
  agency: '社保',
  monthly: false,
  key: 'unit_id',
  columns: [
    { name: 'unit_id', label: '单位编号', type: 'code', required: true, aliases: ['单位编号', '社保登记证编码', '单位社保编号', 'aab001'] },
    { name: 'uscc', label: '统一社会信用代码', type: 'code', aliases: ['统一社会信用代码', 'aab998'] },
    // Older units have this and no USCC; the linker checks its check character (link.sql link.records).
    { name: 'org_code', label: '组织机构代码', type: 'code', aliases: ['组织机构代码', 'aab003', '单位组织机构代码'] },
    { name: 'name', label: '单位名称', type: 'text', required: true, aliases: ['单位名称', 'aab004'] },
    {
      name: 'insurance_type',
      label: '险种',
      type: 'enum',
      required: true,
      classColumn: 'insurance_code',
      values: INSURANCE_TYPE,
      aliases: ['险种', '险种类型', 'aae140'],
    },
    {
      name: 'status',
      label: '参保状态',
      type: 'enum',
      required: true,
      classColumn: 'status_class',
      values: SI_STATUS,
      aliases: ['参保状态', '缴费状态', 'aac031'],
    },
    { name: 'enrolled_on', label: '参保日期', type: 'date', aliases: ['参保日期', '首次参保日期'] },
    { name: 'insured_count', label: '参保人数', type: 'int', aliases: ['参保人数', '在职参保人数'] },
    { name: 'industry_code', label: '行业代码', type: 'code', aliases: ['行业代码', 'aab022'] },
    { name: 'district_code', label: '所属区县', type: 'code', aliases: ['所属区县', '行政区划代码', 'aab301'] },
  ],
};

/** 社保费征收明细: one row per unit per month per insurance type. */
export const siPayment: SourceContract = {
  kind: 'si_payment',
  label: '社保费征收明细',
  agency: '社保',
  monthly: true,
  key: 'unit_id',
  columns: [
    { name: 'unit_id', label: '单位编号', type: 'code', required: true, aliases: ['单位编号', '单位社保编号'] },
    { name: 'period', label: '费款所属期', type: 'period', required: true, aliases: ['费款所属期', '所属期', '缴费年月'] },
    {
      name: 'insurance_type',
      label: '险种',
      type: 'enum',
      required: true,
      classColumn: 'insurance_code',
      values: INSURANCE_TYPE,
      aliases: ['险种', '险种类型'],
    },
    { name: 'insured_count', label: '缴费人数', type: 'int', aliases: ['缴费人数', '参保人数'] },
    { name: 'base_total', label: '缴费基数合计', type: 'money', required: true, aliases: ['缴费基数合计', '单位缴费基数', '缴费工资总额'] },
    { name: 'amount_due', label: '应缴金额', type: 'money', required: true, aliases: ['应缴金额', '应缴费额', '单位应缴'] },
    { name: 'amount_paid', label: '实缴金额', type: 'money', required: true, aliases: ['实缴金额', '实缴费额', '已缴金额'] },
    { name: 'paid_on', label: '到账日期', type: 'date', aliases: ['到账日期', '缴费日期'] },
  ],
};
