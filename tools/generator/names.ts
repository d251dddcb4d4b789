/**
 * Chinese names that look like the real registry: region prefix + trade name (字号) +
 * industry word + legal form, shop names for individual businesses, cooperatives and social
 * organisations; plus the spellings other agencies write the same name in (traditional
 * characters, full-width or half-width brackets, stray spaces) for the linking cases.
 */
import * as OpenCC from 'opencc-js';
import type { City, District } from './city.ts';
import type { Rng } from './random.ts';

/** Characters of trade names. Chosen so that simplified -> traditional -> simplified is lossless. */
export const TRADE_CHARS = [
  ...'华鑫恒瑞锦德盛达宏泰源丰汇通联创信诚嘉和安顺福利祥兴隆昌荣金宝博睿智优佳美欣悦康健益久永远宇天海星辰光明亮晟昊晨东吴湖江山峰林森雅韵品尚卓越领航腾飞骏驰凯威特维正方圆立本元万千百铭诺朗逸澜沁梓桐榕柏松竹梅兰菊莲云霞虹晴润泽沐涵洋浩瀚鸿鹏龙凤麟豪杰俊雄伟新恩乐家友邦景盈聚鼎',
];

/** Enterprise industry words with a GB/T 4754-2017 class code (high-risk ones included on purpose). */
export const ENTERPRISE_INDUSTRIES: readonly { word: string; code: string; label: string }[] = [
  { word: '科技', code: 'I6513', label: '应用软件开发' },
  { word: '信息技术', code: 'I6510', label: '软件开发' },
  { word: '贸易', code: 'F5191', label: '贸易代理' },
  { word: '商贸', code: 'F5299', label: '其他未列明零售业' },
  { word: '电子', code: 'C3971', label: '电子元件及组件制造' },
  { word: '机械', code: 'C3411', label: '锅炉及辅助设备制造' },
  { word: '精密模具', code: 'C3525', label: '模具制造' },
  { word: '物流', code: 'G5810', label: '多式联运' },
  { word: '餐饮管理', code: 'H6210', label: '正餐服务' },
  { word: '服饰', code: 'C1810', label: '机织服装制造' },
  { word: '纺织', code: 'C1751', label: '化纤织物制造' },
  { word: '物业管理', code: 'K7020', label: '物业管理' },
  { word: '企业管理咨询', code: 'L7243', label: '企业管理咨询' },
  { word: '人力资源', code: 'L7261', label: '公共就业服务' },
  { word: '文化传媒', code: 'R8760', label: '文化娱乐经纪人' },
  { word: '医疗器械', code: 'C3581', label: '医疗诊断、监护及治疗设备制造' },
  { word: '食品', code: 'C1499', label: '其他未列明食品制造' },
  { word: '环保科技', code: 'N7724', label: '危险废物治理' },
  // Work-injury high-risk industries (B, C25, C26, C30-C32, E47-E50).
  { word: '化工', code: 'C2614', label: '有机化学原料制造' },
  { word: '新材料', code: 'C2651', label: '初级形态塑料及合成树脂制造' },
  { word: '建材', code: 'C3021', label: '水泥制品制造' },
  { word: '钢铁', code: 'C3120', label: '炼钢' },
  { word: '有色金属', code: 'C3216', label: '铝冶炼' },
  { word: '建设工程', code: 'E4790', label: '其他房屋建筑业' },
  { word: '装饰工程', code: 'E5011', label: '公共建筑装饰和装修' },
  { word: '矿业', code: 'B1019', label: '粘土及其他土砂石开采' },
];

const SHOPS: readonly { word: string; code: string; label: string }[] = [
  { word: '便利店', code: 'F5292', label: '百货零售' },
  { word: '小吃店', code: 'H6291', label: '小吃服务' },
  { word: '面馆', code: 'H6291', label: '小吃服务' },
  { word: '理发店', code: 'O8010', label: '理发及美容服务' },
  { word: '五金店', code: 'F5274', label: '五金零售' },
  { word: '水果店', code: 'F5223', label: '果品、蔬菜零售' },
  { word: '餐馆', code: 'H6210', label: '正餐服务' },
  { word: '服装店', code: 'F5232', label: '服装零售' },
  { word: '烟酒店', code: 'F5227', label: '烟草制品零售' },
  { word: '美容店', code: 'O8010', label: '理发及美容服务' },
  { word: '家电维修部', code: 'O8131', label: '家用电器修理' },
  { word: '花店', code: 'F5299', label: '其他未列明零售业' },
  { word: '茶叶店', code: 'F5225', label: '饮料及茶叶零售' },
  { word: '建材经营部', code: 'F5274', label: '五金零售' },
  { word: '快餐店', code: 'H6220', label: '快餐服务' },
  { word: '洗车行', code: 'O8111', label: '汽车修理与维护' },
];

const COOP_WORDS: readonly { word: string; code: string; label: string }[] = [
  { word: '蔬菜', code: 'A0141', label: '蔬菜种植' },
  { word: '水稻', code: 'A0111', label: '稻谷种植' },
  { word: '水产养殖', code: 'A0412', label: '内陆养殖' },
  { word: '苗木', code: 'A0211', label: '林木育种' },
  { word: '茶叶', code: 'A0164', label: '茶叶种植' },
  { word: '农机服务', code: 'A0513', label: '农业机械活动' },
  { word: '果品', code: 'A0151', label: '仁果类和核果类水果种植' },
];

/** Social organisation forms by USCC category (1 社会团体, 2 社会服务机构, 3 基金会). */
const SOCIAL_FORMS: readonly { category: '1' | '2' | '3'; words: string[]; orgTypes: string[]; code: string; label: string }[] = [
  { category: '1', words: ['行业协会', '商会', '促进会', '学会', '联合会'], orgTypes: ['社会团体'], code: 'S9521', label: '专业性团体' },
  {
    category: '2',
    words: ['民办学校', '培训中心', '养老院', '幼儿园', '社会工作服务中心'],
    orgTypes: ['民办非企业单位', '社会服务机构'],
    code: 'P8399',
    label: '其他教育',
  },
  { category: '3', words: ['慈善基金会', '教育基金会'], orgTypes: ['基金会'], code: 'S9530', label: '基金会' },
];

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲文辉建国云峰鑫宇浩然子轩梓涵欣怡佳琪思远晓东海燕志强丽娟春梅永红'];

/** What a generated name is, besides its text. */
export interface NamedEntity {
  name: string;
  industryCode: string;
  industryLabel: string;
  entityType: string;
  /** For social organisations: the USCC category character and the civil-affairs type text. */
  socialCategory?: '1' | '2' | '3';
  orgType?: string;
}

/** A trade name (字号) of two characters, rarely three. */
export function tradeName(rng: Rng): string {
  const n = rng.chance(0.12) ? 3 : 2;
  let s = '';
  for (let i = 0; i < n; i++) s += rng.pick(TRADE_CHARS);
  return s;
}

/** A person's name. */
export function personName(rng: Rng): string {
  return rng.pick(SURNAMES) + rng.pick(GIVEN) + (rng.chance(0.6) ? rng.pick(GIVEN) : '');
}

/** Legal-form suffixes and the entity type text the registry writes for each. */
const FORMS: readonly { suffix: string; type: string; weight: number }[] = [
  { suffix: '有限公司', type: '有限责任公司(自然人投资或控股)', weight: 70 },
  { suffix: '有限责任公司', type: '有限责任公司(法人独资)', weight: 12 },
  { suffix: '股份有限公司', type: '股份有限公司(非上市、自然人投资或控股)', weight: 8 },
  { suffix: '有限公司', type: '有限责任公司(外商投资企业法人独资)', weight: 5 },
  { suffix: '有限公司', type: '有限责任公司(台港澳与境内合资)', weight: 5 },
];

/** An enterprise name: `苏州鑫达电子有限公司`, `恒瑞（苏州）科技有限公司`, `苏州市吴中区华盛贸易有限公司`. */
export function enterpriseName(
  rng: Rng,
  city: City,
  district: District,
  trade: string,
  industry?: (typeof ENTERPRISE_INDUSTRIES)[number],
  form?: 'limited' | 'limited_liability',
): NamedEntity {
  const ind = industry ?? rng.pick(ENTERPRISE_INDUSTRIES);
  let f = FORMS[0] as (typeof FORMS)[number];
  if (form === 'limited_liability') f = FORMS[1] as (typeof FORMS)[number];
  else if (form === undefined) {
    let r = rng.next() * 100;
    for (const candidate of FORMS) {
      r -= candidate.weight;
      if (r < 0) {
        f = candidate;
        break;
      }
    }
  }
  const style = rng.int(0, 9);
  const name =
    style < 6
      ? `${city.short}${trade}${ind.word}${f.suffix}`
      : style < 8
        ? `${trade}（${city.short}）${ind.word}${f.suffix}`
        : `${districtPrefix(city, district)}${trade}${ind.word}${f.suffix}`;
  return { name, industryCode: ind.code, industryLabel: ind.label, entityType: f.type };
}

/**
 * How names spell the district: county-level cities stand alone (`常熟市`), districts follow
 * the city (`苏州市吴中区`), a district already named after the city stays as is (`苏州工业园区`).
 */
export function districtPrefix(city: City, district: District): string {
  if (district.name.endsWith('市') || district.name.startsWith(city.short)) return district.name;
  return `${city.name}${district.name}`;
}

/** An individual business: `苏州市姑苏区福来便利店`, `吴中区鑫达五金店`, `华盛面馆（个体工商户）`. */
export function individualName(rng: Rng, city: City, district: District, trade: string, style?: 'full'): NamedEntity {
  const shop = rng.pick(SHOPS);
  const s = style === 'full' ? 0 : rng.int(0, 9);
  const prefix = districtPrefix(city, district);
  const name = s < 5 ? `${prefix}${trade}${shop.word}` : s < 8 ? `${district.name}${trade}${shop.word}` : `${prefix}${trade}${shop.word}（个体工商户）`;
  return { name, industryCode: shop.code, industryLabel: shop.label, entityType: '个体工商户' };
}

/** A farmer cooperative: `常熟市梅李镇鑫达水稻专业合作社`. */
export function coopName(rng: Rng, city: City, district: District, street: string, trade: string): NamedEntity {
  const w = rng.pick(COOP_WORDS);
  const suffix = rng.pick(['专业合作社', '农民专业合作社', '种植专业合作社']);
  const prefix = district.name.endsWith('市') ? `${district.name}${street}` : districtPrefix(city, district);
  return { name: `${prefix}${trade}${w.word}${suffix}`, industryCode: w.code, industryLabel: w.label, entityType: '农民专业合作社' };
}

/** A social organisation: `苏州市姑苏区餐饮行业协会`, `苏州市吴中区鑫达幼儿园`, `苏州市恒瑞慈善基金会`. */
export function socialOrgName(rng: Rng, city: City, district: District, trade: string): NamedEntity {
  const form = rng.pick(SOCIAL_FORMS);
  const word = rng.pick(form.words);
  const name = form.category === '3' ? `${city.name}${trade}${word}` : `${districtPrefix(city, district)}${trade}${word}`;
  return {
    name,
    industryCode: form.code,
    industryLabel: form.label,
    entityType: form.orgTypes[0] as string,
    socialCategory: form.category,
    orgType: rng.pick(form.orgTypes),
  };
}

/** The other form of a name that differs only in the legal-form suffix (有限公司 <-> 有限责任公司). */
export function swapSuffix(name: string): string | undefined {
  if (name.endsWith('股份有限公司')) return undefined;
  if (name.endsWith('有限责任公司')) return `${name.slice(0, -6)}有限公司`;
  if (name.endsWith('有限公司')) return `${name.slice(0, -4)}有限责任公司`;
  return undefined;
}

const toTraditional = OpenCC.Converter({ from: 'cn', to: 'hk' });
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

/**
 * The name in traditional characters (貿易, 發展, 蘇州), only when converting back gives the
 * same simplified name: otherwise the truth would claim a match the normaliser cannot make.
 */
export function traditionalVariant(name: string): string | undefined {
  const t = toTraditional(name);
  if (t === name || toSimplified(t) !== name) return undefined;
  return t;
}

/** Swaps full-width brackets for half-width ones or back. */
export function bracketVariant(name: string): string | undefined {
  if (name.includes('（')) return name.replace(/（/g, '(').replace(/）/g, ')');
  if (name.includes('(')) return name.replace(/\(/g, '（').replace(/\)/g, '）');
  return undefined;
}

/** Adds a stray space (after the region prefix, before the suffix) or a trailing one. */
export function spaceVariant(rng: Rng, name: string): string {
  const at = rng.int(2, Math.max(2, name.length - 2));
  return rng.chance(0.7) ? `${name.slice(0, at)} ${name.slice(at)}` : `${name} `;
}

/** Normalises a name for uniqueness checks the way the linker will (NFKC, brackets, no spaces or punctuation). */
export function nameKey(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\s()（）·.,，、-]/g, '')
    .toLowerCase();
}

/** An address on a street of the district. */
export function address(rng: Rng, city: City, district: District, street: string): string {
  const road = rng.pick(TRADE_CHARS) + rng.pick(TRADE_CHARS) + rng.pick(['路', '街', '大道', '巷']);
  return `${city.province}${city.name}${district.name}${street}${road}${rng.int(1, 999)}号`;
}
