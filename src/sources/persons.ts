import type { SourceContract } from './contract.ts';
import { INSURANCE_TYPE, SI_STATUS } from './si.ts';

/**
 * The person-level kinds (EXPORTS.md kinds 7-10): one row per person (per agent and month, per
 * unit and insurance type, per year, per category). Identity numbers are typed `resident_id`
 * (normalised to 18 characters, checked, with the reason when they fail); the full numbers
 * stay in these tables and `persons`, nowhere else.
 */

/** 证件类型 -> id_kind: a resident ID, or another document ('other', matched as written). Empty means a resident ID. */
export const ID_TYPE: Record<string, string> = {
  居民身份证: 'resident',
  身份证: 'resident',
  中华人民共和国居民身份证: 'resident',
};

/** 所得项目 -> income_class: wages (正常工资薪金; an empty item too), else 'other'. */
export const INCOME_ITEM: Record<string, string> = {
  正常工资薪金: 'salary',
  正常工资薪金所得: 'salary',
  工资薪金: 'salary',
};

/** 任职受雇从业类型 -> employment_class: an employee (雇员; an empty type too), else 'other'. */
export const EMPLOYMENT_TYPE: Record<string, string> = {
  雇员: 'employee',
};

/** 人员类别 of si_person -> person_class. */
export const PERSON_TYPE: Record<string, string> = {
  在职: 'employed',
  在职人员: 'employed',
  退休: 'retired',
  退休人员: 'retired',
  离休: 'retired',
  离休人员: 'retired',
  退职: 'retired',
  退职人员: 'retired',
  灵活就业: 'flexible',
  灵活就业人员: 'flexible',
  个体工商户: 'individual',
  个体: 'individual',
};

/** 参保状态 of resident_pension -> status_class ('receiving': a pension is paid). */
export const RESIDENT_STATUS: Record<string, string> = {
  '1': 'active',
  正常参保: 'active',
  参保缴费: 'active',
  '2': 'suspended',
  暂停: 'suspended',
  暂停缴费: 'suspended',
  '3': 'terminated',
  终止: 'terminated',
  终止缴费: 'terminated',
  注销: 'terminated',
  领取待遇: 'receiving',
  待遇领取: 'receiving',
};

/** 资金来源 / 缴费类型 -> funding_class: own payment, paid by the government (代缴), a subsidy (not a 代缴). */
export const FUNDING: Record<string, string> = {
  '1': 'self',
  个人缴费: 'self',
  '11': 'government',
  政府代缴: 'government',
  '3': 'subsidy',
  '4': 'subsidy',
  '5': 'subsidy',
  财政补贴: 'subsidy',
};

/** 类别 of the assistance rolls -> category_class; any other category is kept and reported. */
export const AID_CATEGORY: Record<string, string> = {
  城市低保: 'dibao_urban',
  城市最低生活保障: 'dibao_urban',
  农村低保: 'dibao_rural',
  农村最低生活保障: 'dibao_rural',
  特困供养: 'tekun',
  特困人员: 'tekun',
  特困供养人员: 'tekun',
  重度残疾: 'disabled_severe',
  重度残疾人: 'disabled_severe',
  一级残疾: 'disabled_1',
  二级残疾: 'disabled_2',
  脱贫人口: 'tuopin',
  建档立卡贫困人口: 'jiandang',
  防止返贫监测对象: 'fanpin',
};

/** 个税全员全额扣缴申报明细: one row per withholding agent, person, month and income item. */
export const iitDetail: SourceContract = {
  kind: 'iit_detail',
  label: '个税全员全额扣缴申报明细',
  agency: '税务',
  monthly: true,
  key: 'taxpayer_id',
  // A correction (更正申报) holds one agent's month and replaces just that.
  supersession: 'key_month',
  columns: [
    {
      name: 'taxpayer_id',
      label: '扣缴义务人纳税人识别号',
      type: 'code',
      required: true,
      aliases: ['扣缴义务人纳税人识别号', '扣缴单位纳税人识别号', '扣缴义务人识别号'],
    },
    { name: 'agent_name', label: '扣缴义务人名称', type: 'text', aliases: ['扣缴义务人名称', '扣缴单位名称'] },
    {
      name: 'period',
      label: '税款所属期',
      type: 'period',
      required: true,
      aliases: ['税款所属期', '所属期', '所属月份'],
      // Some exports give the month as its first and last day.
      range: { from: ['所属期起', '税款所属期起'], to: ['所属期止', '税款所属期止'] },
    },
    {
      name: 'id_type',
      label: '证件类型',
      type: 'enum',
      classColumn: 'id_kind',
      values: ID_TYPE,
      classWhenEmpty: 'resident',
      classOtherwise: 'other',
      aliases: ['证件类型', '身份证件类型'],
    },
    { name: 'id_no', label: '证件号码', type: 'resident_id', required: true, idTypeColumn: 'id_type', aliases: ['证件号码', '身份证件号码', '身份证号'] },
    { name: 'person_name', label: '姓名', type: 'text', required: true, aliases: ['姓名'] },
    {
      name: 'income_item',
      label: '所得项目',
      type: 'enum',
      classColumn: 'income_class',
      values: INCOME_ITEM,
      classWhenEmpty: 'salary',
      classOtherwise: 'other',
      aliases: ['所得项目'],
    },
    { name: 'income', label: '本期收入', type: 'money', required: true, aliases: ['本期收入', '收入额', '收入'] },
    {
      name: 'employment_type',
      label: '任职受雇从业类型',
      type: 'enum',
      classColumn: 'employment_class',
      values: EMPLOYMENT_TYPE,
      classWhenEmpty: 'employee',
      classOtherwise: 'other',
      aliases: ['任职受雇从业类型'],
    },
    { name: 'employed_on', label: '任职受雇从业日期', type: 'date', aliases: ['任职受雇从业日期'] },
    { name: 'left_on', label: '离职日期', type: 'date', aliases: ['离职日期'] },
  ],
};

/** 社保个人参保信息: one row per person, unit and insurance type. */
export const siPerson: SourceContract = {
  kind: 'si_person',
  label: '社保个人参保信息',
  agency: '社保',
  monthly: false,
  key: 'person_no',
  supersession: 'snapshot',
  columns: [
    { name: 'person_no', label: '个人编号', type: 'code', required: true, aliases: ['个人编号', '个人社保编号', 'aac001'] },
    { name: 'id_no', label: '公民身份号码', type: 'resident_id', required: true, aliases: ['公民身份号码', '身份证号码', '证件号码', 'aac002'] },
    { name: 'person_name', label: '姓名', type: 'text', required: true, aliases: ['姓名', 'aac003'] },
    { name: 'unit_id', label: '单位编号', type: 'code', aliases: ['单位编号', 'aab001'] },
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
      label: '个人缴费状态',
      type: 'enum',
      required: true,
      classColumn: 'status_class',
      values: SI_STATUS,
      aliases: ['个人缴费状态', '参保状态', '缴费状态', 'aac008', 'aac031'],
    },
    { name: 'person_type', label: '人员类别', type: 'enum', classColumn: 'person_class', values: PERSON_TYPE, aliases: ['人员类别', '人员身份'] },
    { name: 'enrolled_on', label: '本次参保日期', type: 'date', aliases: ['本次参保日期', '参保日期', 'aac030'] },
    { name: 'base', label: '缴费基数', type: 'money', aliases: ['缴费基数', '个人缴费基数', '月缴费基数'] },
    { name: 'last_paid_period', label: '末次缴费年月', type: 'period', aliases: ['末次缴费年月', '最后缴费年月', '缴费截止年月'] },
    { name: 'phone', label: '联系电话', type: 'text', aliases: ['联系电话', '手机号码'] },
    { name: 'district_code', label: '所属区县', type: 'code', aliases: ['所属区县', '行政区划代码'] },
    { name: 'street', label: '所属街道', type: 'text', aliases: ['所属街道', '街道(乡镇)'] },
  ],
};

/** 城乡居民基本养老保险参保缴费: one row per person and year. */
export const residentPension: SourceContract = {
  kind: 'resident_pension',
  label: '城乡居民基本养老保险参保缴费',
  agency: '社保',
  monthly: false,
  key: 'id_no',
  supersession: 'snapshot',
  columns: [
    { name: 'id_no', label: '公民身份号码', type: 'resident_id', required: true, aliases: ['公民身份号码', '身份证号码', '证件号码'] },
    { name: 'person_name', label: '姓名', type: 'text', required: true, aliases: ['姓名'] },
    { name: 'status', label: '参保状态', type: 'enum', required: true, classColumn: 'status_class', values: RESIDENT_STATUS, aliases: ['参保状态'] },
    { name: 'year', label: '缴费年度', type: 'int', required: true, aliases: ['缴费年度'] },
    { name: 'paid_amount', label: '缴费金额', type: 'money', aliases: ['缴费金额', '个人缴费金额'] },
    { name: 'funding', label: '资金来源', type: 'enum', classColumn: 'funding_class', values: FUNDING, aliases: ['资金来源', '缴费类型'] },
    { name: 'identity', label: '参保身份', type: 'text', aliases: ['参保身份'] },
    { name: 'district_code', label: '所属区县', type: 'code', aliases: ['所属区县'] },
    { name: 'street', label: '所属街道', type: 'text', aliases: ['所属街道', '乡镇(街道)'] },
  ],
};

/** 困难群体名单 (民政 低保/特困, 残联 重度残疾, 乡村振兴 脱贫人口): one row per person and category. */
export const assistance: SourceContract = {
  kind: 'assistance',
  label: '困难群体名单',
  agency: '民政/残联/乡村振兴',
  monthly: false,
  key: 'id_no',
  // Three offices deliver their own rolls: the latest file holding a category wins for it.
  supersession: 'value',
  supersedeBy: 'category_class',
  columns: [
    { name: 'id_no', label: '身份证号码', type: 'resident_id', required: true, aliases: ['身份证号码', '公民身份号码', '证件号码'] },
    { name: 'person_name', label: '姓名', type: 'text', required: true, aliases: ['姓名'] },
    {
      name: 'category',
      label: '类别',
      type: 'enum',
      required: true,
      classColumn: 'category_class',
      values: AID_CATEGORY,
      aliases: ['类别', '救助类别', '人员类别'],
    },
    { name: 'since', label: '起始日期', type: 'date', aliases: ['起始日期', '享受起始日期', '认定日期'] },
    { name: 'until', label: '停止日期', type: 'date', aliases: ['停止日期', '终止日期', '退出日期'] },
    { name: 'district_code', label: '所属区县', type: 'code', required: true, aliases: ['所属区县', '行政区划代码'] },
    { name: 'street', label: '所属街道', type: 'text', aliases: ['所属街道', '乡镇(街道)'] },
    { name: 'community', label: '社区', type: 'text', aliases: ['社区', '村(社区)'] },
  ],
};
