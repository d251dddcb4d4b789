import type { SourceContract } from './contract.ts';

/** 网格员名册: which grid (and grid worker) covers which street and community. Optional. */
export const gridRoster: SourceContract = {
  kind: 'grid_roster',
  label: '网格员名册',
  agency: '街道/社区',
  monthly: false,
  key: 'grid',
  columns: [
    { name: 'street', label: '街道', type: 'text', required: true, aliases: ['街道', '所属街道', '街道(乡镇)', '乡镇街道'] },
    { name: 'community', label: '社区', type: 'text', aliases: ['社区', '社区(村)', '村(社区)', '所属社区'] },
    { name: 'grid', label: '网格', type: 'text', required: true, aliases: ['网格', '网格名称', '网格编号'] },
    { name: 'worker', label: '网格员', type: 'text', required: true, aliases: ['网格员', '网格员姓名'] },
    { name: 'phone', label: '联系电话', type: 'text', aliases: ['联系电话', '电话', '手机'] },
    { name: 'district_code', label: '区县代码', type: 'code', aliases: ['区县代码', '行政区划代码', '区划代码'] },
  ],
};
