import type { SourceContract } from './contract.ts';

/**
 * 目标任务: the year's targets per district (扩面征缴目标), issued by the city office. Optional.
 * 区县 may be a name (姑苏区, 姑苏) or a division code (320508); 参保率目标 may be written 95%,
 * 95 or 0.95 (typed by the campaign views, see docs/campaign.md); 征缴目标 is in yuan, or in
 * 10,000 yuan under a header that says so (征缴目标（万元）).
 */
export const targets: SourceContract = {
  kind: 'targets',
  label: '目标任务',
  agency: '社保（市局）',
  monthly: false,
  // A file of the same year replaces the earlier one (whole); next year's file stands beside it.
  key: 'year',
  columns: [
    { name: 'district', label: '区县', type: 'text', required: true, aliases: ['区县', '区县名称', '地区', '行政区划', '区县代码'] },
    { name: 'year', label: '年度', type: 'int', required: true, aliases: ['年度', '目标年度', '年份'] },
    { name: 'target_units', label: '参保单位目标', type: 'int', aliases: ['参保单位目标', '参保单位数目标', '单位参保目标'] },
    { name: 'target_persons', label: '参保人数目标', type: 'int', aliases: ['参保人数目标', '参保人员目标', '扩面人数目标'] },
    { name: 'target_coverage', label: '参保率目标', type: 'text', aliases: ['参保率目标', '参保覆盖率目标', '目标参保率'] },
    { name: 'target_collection', label: '征缴目标（元）', type: 'money', aliases: ['征缴目标', '征缴目标(元)', '征缴金额目标', '征收目标'] },
    { name: 'target_collection_wan', label: '征缴目标（万元）', type: 'money', aliases: ['征缴目标(万元)', '征缴金额目标(万元)', '征收目标(万元)'] },
  ],
};
