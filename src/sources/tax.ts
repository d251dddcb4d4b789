import type { SourceContract } from './contract.ts';

/** Taxpayer status text -> class. */
export const TAXPAYER_STATUS: Record<string, string> = {
  正常: 'active',
  非正常: 'abnormal',
  停业: 'suspended',
  注销: 'closed',
  清算: 'liquidating',
};

/** 税务登记: the tax registry of taxpayers. */
export const taxRegistration: SourceContract = {
  kind: 'tax_registration',
  label: '税务登记信息',
  agency: '税务',
  monthly: false,
  key: 'taxpayer_id',
  columns: [
    { name: 'taxpayer_id', label: '纳税人识别号', type: 'code', required: true, aliases: ['纳税人识别号', '社会信用代码(纳税人识别号)', 'NSRSBH'] },
    { name: 'name', label: '纳税人名称', type: 'text', required: true, aliases: ['纳税人名称', 'NSRMC'] },
    {
      name: 'status',
      label: '纳税人状态',
      type: 'enum',
      required: true,
      classColumn: 'status_class',
      values: TAXPAYER_STATUS,
      aliases: ['纳税人状态', '状态', 'NSRZT'],
    },
    { name: 'registered_on', label: '登记日期', type: 'date', aliases: ['登记日期', '税务登记日期', '开业日期'] },
    { name: 'industry', label: '行业', type: 'text', aliases: ['行业', '行业名称', 'HYMC'] },
    { name: 'tax_office', label: '主管税务机关', type: 'text', aliases: ['主管税务机关', '主管税务所(科、分局)'] },
    { name: 'address', label: '生产经营地址', type: 'text', aliases: ['生产经营地址', 'SCJYDZ'] },
  ],
};

/** 个税扣缴申报: monthly individual income tax withholding returns, one row per agent per month. */
export const taxWithholding: SourceContract = {
  kind: 'tax_withholding',
  label: '个税扣缴申报',
  agency: '税务',
  monthly: true,
  key: 'taxpayer_id',
  columns: [
    {
      name: 'taxpayer_id',
      label: '扣缴义务人纳税人识别号',
      type: 'code',
      required: true,
      aliases: ['扣缴义务人纳税人识别号', '扣缴单位纳税人识别号', '纳税人识别号'],
    },
    { name: 'name', label: '扣缴义务人名称', type: 'text', aliases: ['扣缴义务人名称', '扣缴单位名称'] },
    { name: 'period', label: '所属期', type: 'period', required: true, aliases: ['所属期', '税款所属期', '所属月份'] },
    { name: 'headcount', label: '申报人数', type: 'int', required: true, aliases: ['申报人数', '扣缴人数', '工资薪金申报人数'] },
    { name: 'wages', label: '收入额', type: 'money', required: true, aliases: ['收入额', '工资薪金收入额', '收入合计'] },
    { name: 'tax_paid', label: '已缴税额', type: 'money', aliases: ['已缴税额', '实缴税额'] },
  ],
};
