import type { SourceContract } from './contract.ts';

/** Registration status text (normalised: NFKC, no spaces) -> status class. */
export const REGISTRATION_STATUS: Record<string, string> = {
  存续: 'active',
  在业: 'active',
  开业: 'active',
  在营: 'active',
  在册: 'active',
  正常: 'active',
  '存续(在营、开业、在册)': 'active',
  吊销: 'revoked',
  '吊销,未注销': 'revoked',
  注销: 'closed',
  '吊销,已注销': 'closed',
  撤销: 'closed',
  迁出: 'moved_out',
  停业: 'suspended',
  歇业: 'suspended',
  清算: 'liquidating',
};

/** 市场监管 / 工商: the market-regulation registry of market entities. */
export const registration: SourceContract = {
  kind: 'registration',
  label: '市场主体登记信息',
  agency: '市场监管',
  monthly: false,
  key: 'uscc',
  columns: [
    { name: 'uscc', label: '统一社会信用代码', type: 'code', required: true, aliases: ['统一社会信用代码', '信用代码', 'UNISCID', 'uscc'] },
    { name: 'name', label: '企业名称', type: 'text', required: true, aliases: ['企业名称', '名称', '市场主体名称', '主体名称', 'ENTNAME'] },
    // Several names separated by ; ； 、 or | (link.sql link.names.former splits them).
    { name: 'former_names', label: '曾用名', type: 'text', aliases: ['曾用名', '历史名称'] },
    { name: 'reg_no', label: '注册号', type: 'code', aliases: ['注册号', 'REGNO'] },
    { name: 'entity_type', label: '企业类型', type: 'text', aliases: ['企业类型', '市场主体类型', '类型', 'ENTTYPE_CN'] },
    { name: 'legal_rep', label: '法定代表人', type: 'text', aliases: ['法定代表人', '法定代表人/负责人', '经营者', '法人代表', 'NAME'] },
    { name: 'established_on', label: '成立日期', type: 'date', required: true, aliases: ['成立日期', '注册日期', '登记日期', 'ESTDATE'] },
    {
      name: 'status',
      label: '登记状态',
      type: 'enum',
      required: true,
      classColumn: 'status_class',
      values: REGISTRATION_STATUS,
      aliases: ['登记状态', '经营状态', '状态', 'REGSTATE_CN'],
    },
    { name: 'industry_code', label: '行业代码', type: 'code', aliases: ['行业代码', '国民经济行业代码', '行业门类代码'] },
    { name: 'industry_name', label: '行业', type: 'text', aliases: ['行业', '国民经济行业', '所属行业'] },
    { name: 'capital', label: '注册资本', type: 'capital', aliases: ['注册资本', '注册资金', 'REGCAP'] },
    { name: 'address', label: '住所', type: 'text', aliases: ['住所', '经营场所', '注册地址', '住所/经营场所', 'DOM'] },
    { name: 'district_code', label: '所属区县代码', type: 'code', aliases: ['所属区县代码', '行政区划代码', '区划代码'] },
    { name: 'street', label: '所属街道', type: 'text', aliases: ['所属街道', '街道(乡镇)', '乡镇街道', '管辖单位'] },
    { name: 'employees', label: '从业人数', type: 'int', aliases: ['从业人数', '年报从业人数', '职工人数'] },
    { name: 'phone', label: '联系电话', type: 'text', aliases: ['联系电话', '电话'] },
    { name: 'closed_on', label: '注销/吊销日期', type: 'date', aliases: ['注销日期', '吊销日期'] },
  ],
};
