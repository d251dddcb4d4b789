/**
 * The planted linking cases of issue 19 (docs/rules.md "Linking"): registry former names
 * (曾用名), SI units that carry only their organisation code (组织机构代码), a mistyped
 * organisation code, and near-miss names that recon must put to a person (link_review) instead of
 * deciding: one the same employer, one another.
 *
 * Each case is one or two employers of its own, built after the other employers from its own
 * random stream (`link-case:<case>:<round>`) and written after them, so every row the other
 * employers write is as it was. A few registry employers of the background also get former names
 * nobody uses (`link-case:former:<key>`): the column is not a marker of the planted cases.
 *
 * What each case is, in truth: the same employer (insured, paying: no finding when linked right),
 * except `review_different`, an employer of its own that only the SI office knows. The near
 * misses are measured with recon's own similarity (src/link/similarity.ts on the names as
 * src/link/names.ts normalises them) against the default link thresholds, and changed only inside
 * the industry word with characters no generated name uses, so no other employer can be as close.
 */
import { DEFAULT_LINK_PARAMS, type LinkParams } from '../../src/config/pipeline-file.ts';
import { orgCodeCheckChar } from '../../src/link/codes.ts';
import { LEGAL_SUFFIXES, normaliseName, splitSuffix } from '../../src/link/names.ts';
import { jaroWinkler } from '../../src/link/similarity.ts';
import type { District } from './city.ts';
import type { EmployerFactory } from './factory.ts';
import type { Employer } from './model.ts';
import type { NamedEntity } from './names.ts';
import {
  ENTERPRISE_INDUSTRIES,
  TRADE_CHARS,
  bracketVariant,
  coopName,
  districtPrefix,
  enterpriseName,
  individualName,
  spaceVariant,
  tradeName,
  traditionalVariant,
} from './names.ts';
import { Rng } from './random.ts';
import type { RuleId } from './truth.ts';

/** The planted cases (hard_cases labels) and what each shows. */
export const LINK_CASES = {
  reg_former_name: 'a registry employer with former names (曾用名); its SI unit has no USCC and is written under one of them: linked by former_name',
  si_org_code_only:
    'an SI unit without USCC, with the valid 组织机构代码 inside its registry employer’s USCC and an old name no name step links: linked by org_code',
  si_org_code_bad: 'an SI unit without USCC whose 组织机构代码 has a wrong check character (dq_issues invalid_org_code, not used); its name links it exactly',
  review_same:
    'an SI unit without USCC whose name is a near miss of its own registry employer’s (similarity from review_min up to auto_accept): listed in link_review, truly the same',
  review_different:
    'an employer only the SI office knows, whose unit name is a near miss of another registry employer’s (review_candidate): listed in link_review, truly not the same',
} as const;
export type LinkCase = keyof typeof LINK_CASES;
export const LINK_CASE_IDS = Object.keys(LINK_CASES) as LinkCase[];

/** Scenario labels of the planted employers (all without findings when linked right). */
export const LINK_SCENARIOS: Record<string, { expect: RuleId[]; note: string }> = {
  ...Object.fromEntries(LINK_CASE_IDS.map((c) => [c, { expect: [] as RuleId[], note: LINK_CASES[c] }])),
  review_candidate: { expect: [], note: 'the registry employer a review_different unit is a near miss of (insured under its own USCC)' },
};

/** One round of every case per this many employers (at least one round). */
export const LINK_ROUND_EMPLOYERS = 150;

/** The rounds of planted cases for a run of `employers` slots: 2 at 300, 20 at 3,000. */
export function linkCaseRounds(employers: number): number {
  return Math.max(1, Math.round(employers / LINK_ROUND_EMPLOYERS));
}

/** A pair recon must put to a person, and the right answer (truth/review_answers.csv). */
export interface ReviewAnswer {
  unitId: string;
  candidateUscc: string;
  answer: 'same' | 'different';
  employerKey: string;
  candidateKey: string;
}

/** A data-quality issue recon must report (truth/expected_dq_issues.csv). */
export interface ExpectedIssue {
  category: 'invalid_org_code';
  source: 'si_unit';
  recordKey: string;
  employerKey: string;
  written: string;
}

/**
 * Typing slips of the industry-word characters: homophones an input method offers next to them.
 * The first one no generated name uses is taken (checked against the name alphabet at run time).
 */
const TYPOS: Record<string, string> = {
  科: '棵蝌',
  技: '伎妓',
  信: '芯衅',
  息: '熄媳',
  术: '述沭',
  贸: '茂袤',
  易: '奕弈',
  商: '墒熵',
  电: '甸佃',
  子: '仔籽',
  机: '玑叽',
  械: '懈屑',
  精: '菁睛',
  密: '蜜秘',
  模: '膜摹',
  具: '惧俱',
  物: '勿坞',
  流: '琉硫',
  餐: '参骖',
  饮: '隐瘾',
  管: '馆琯',
  理: '俚鲤',
  服: '伏茯',
  饰: '拭轼',
  纺: '仿舫',
  织: '职帜',
  业: '邺叶',
  企: '岂杞',
  咨: '姿谘',
  询: '洵荀',
  人: '仁壬',
  力: '历沥',
  资: '姿赀',
  源: '塬螈',
  文: '纹雯',
  化: '桦骅',
  传: '串椽',
  媒: '煤楣',
  医: '依漪',
  疗: '辽獠',
  器: '气憩',
  食: '蚀湜',
  品: '聘牝',
  环: '还寰',
  保: '堡葆',
  工: '功攻',
  新: '馨忻',
  材: '财豺',
  料: '撂廖',
  建: '键毽',
  设: '摄涉',
  程: '呈逞',
  钢: '纲岗',
  铁: '帖餮',
  有: '又酉',
  色: '瑟啬',
  金: '今衿',
  属: '署曙',
  装: '妆庄',
  矿: '旷邝',
};

const VARIANT_LABELS = new Set(['si_traditional', 'si_brackets', 'si_spaces']);
/** The legal forms of generated enterprise names (the candidate's first). */
const SAME_CORE_FORMS = ['有限公司', '有限责任公司', '股份有限公司'];

/** recon's view of two names: the similarity of their cores, the same legal form, in one block. */
export function nameSimilarity(a: string, b: string): { score: number; sameSuffix: boolean; blocked: boolean } {
  const x = splitSuffix(normaliseName(a));
  const y = splitSuffix(normaliseName(b));
  const xs = [...x.core];
  const ys = [...y.core];
  const left = (s: string[]): string => s.slice(0, 2).join('');
  const right = (s: string[]): string => s.slice(-2).join('');
  return { score: jaroWinkler(x.core, y.core), sameSuffix: x.suffix === y.suffix, blocked: left(xs) === left(ys) || right(xs) === right(ys) };
}

/** Builds the planted employers and remembers their truth. */
export class LinkCaseBuilder {
  readonly counts: Record<string, number> = Object.fromEntries(LINK_CASE_IDS.map((c) => [c, 0]));
  readonly answers: ReviewAnswer[] = [];
  readonly issues: ExpectedIssue[] = [];
  /** Background employers given former names. */
  backgroundFormer = 0;
  /** Every character a generated enterprise name can hold: a slip must be none of them. */
  private readonly alphabet: Set<string>;

  constructor(
    private readonly seed: number,
    private readonly f: EmployerFactory,
    private readonly link: LinkParams = DEFAULT_LINK_PARAMS,
  ) {
    const city = f.ctx.city;
    this.alphabet = new Set([
      ...TRADE_CHARS,
      ...ENTERPRISE_INDUSTRIES.flatMap((i) => [...i.word]),
      ...LEGAL_SUFFIXES.flatMap((s) => [...s]),
      ...city.name,
      ...city.districts.flatMap((d) => [...d.name]),
    ]);
  }

  /** A background registry employer: now and then former names nobody uses (its own stream). */
  decorate(e: Employer): void {
    if (e.registry.source !== 'registration' || e.kind === 'social_org' || e.unregistered) return;
    const rng = new Rng(this.seed, `link-case:former:${e.key}`);
    if (!rng.chance(0.02)) return;
    e.formerNames = this.formerNames(rng, e, rng.int(1, 2));
    this.backgroundFormer++;
  }

  /** The planted employers, one case at a time (a round of every case per LINK_ROUND_EMPLOYERS slots). */
  *rounds(employers: number, nextKey: () => string): Generator<Employer[]> {
    for (let round = 0; round < linkCaseRounds(employers); round++) {
      for (const c of LINK_CASE_IDS) {
        const built = this.plant(c, round, new Rng(this.seed, `link-case:${c}:${round}`), nextKey);
        this.counts[c] = (this.counts[c] ?? 0) + 1;
        yield built;
      }
    }
  }

  private plant(c: LinkCase, round: number, rng: Rng, nextKey: () => string): Employer[] {
    const f = this.f;
    const h = rng.int(2, 15);
    switch (c) {
      case 'reg_former_name': {
        const kind = round % 2 === 0 ? 'enterprise' : 'individual';
        const e = f.create(rng, nextKey(), c, kind, { establishedDaysAgo: rng.int(2000, 6000) });
        e.formerNames = this.formerNames(rng, e, rng.int(1, 3));
        f.standard(e, rng, kind === 'individual' ? rng.int(1, 3) : h, { idKind: 'uscc', si: { usccWritten: 'none' } });
        // One of the former names, as the SI clerk typed it years ago (spelled so that it normalises the same).
        this.unitName(e, this.spelling(rng, rng.pick(e.formerNames)), c);
        this.unit(e).orgCode = '';
        return [e];
      }
      case 'si_org_code_only': {
        // Registered before the 2015 reform: an 8-digit organisation code, a 注册号.
        const e = f.create(rng, nextKey(), c, 'enterprise', { establishedDaysAgo: rng.int(4200, 6500) });
        f.standard(e, rng, h, { si: { usccWritten: 'none' } });
        this.unitName(e, this.oldName(rng, e), c);
        this.unit(e).orgCode = e.orgCode;
        return [e];
      }
      case 'si_org_code_bad': {
        const e = f.create(rng, nextKey(), c, 'enterprise');
        f.standard(e, rng, h, { si: { usccWritten: 'none' } });
        // The name as addSi wrote it (the same after normalisation, maybe another spelling) links it exactly.
        e.hard.push(c);
        const check = e.orgCode.charAt(8);
        const wrong = rng.pick([...'0123456789X'].filter((x) => x !== check));
        const unit = this.unit(e);
        unit.orgCode = e.orgCode.slice(0, 8) + wrong;
        if (orgCodeCheckChar(unit.orgCode.slice(0, 8)) === wrong) throw new Error('a planted bad organisation code passes its check');
        this.issues.push({ category: 'invalid_org_code', source: 'si_unit', recordKey: unit.unitId, employerKey: e.key, written: unit.orgCode });
        return [e];
      }
      case 'review_same': {
        const { named, near, district } = this.nearMissPair(rng);
        const e = f.create(rng, nextKey(), c, 'enterprise', { district, named });
        f.standard(e, rng, h, { si: { usccWritten: 'none' } });
        this.unitName(e, near, c);
        this.unit(e).orgCode = '';
        this.answers.push({ unitId: this.unit(e).unitId, candidateUscc: e.uscc, answer: 'same', employerKey: e.key, candidateKey: e.key });
        return [e];
      }
      case 'review_different': {
        const { named, near, district } = this.nearMissPair(rng);
        const candidate = f.create(rng, nextKey(), 'review_candidate', 'enterprise', { district, named });
        f.standard(candidate, rng, h, { si: { usccWritten: 'valid' } });
        candidate.hard.push('review_candidate');
        // The other employer: only its SI unit exists, under the near-miss name, insured and paying.
        const other = f.create(rng, nextKey(), c, 'enterprise', { district, named: { ...named, name: near }, employees: null });
        other.unregistered = true;
        const wage = rng.int(650, 1500) * 1000;
        f.addSi(other, rng, { insured: () => h, basePerPerson: () => wage, usccWritten: 'none' });
        this.unitName(other, near, c);
        this.unit(other).orgCode = '';
        this.answers.push({
          unitId: this.unit(other).unitId,
          candidateUscc: candidate.uscc,
          answer: 'different',
          employerKey: other.key,
          candidateKey: candidate.key,
        });
        return [candidate, other];
      }
    }
  }

  private unit(e: Employer): NonNullable<Employer['si']> {
    if (e.si === null) throw new Error(`${e.key}: a planted linking case without an SI unit`);
    return e.si;
  }

  /** Sets the SI unit's name (dropping the spelling labels addSi gave) and labels the case. */
  private unitName(e: Employer, name: string, c: LinkCase): void {
    this.unit(e).name = name;
    e.hard = e.hard.filter((h) => !VARIANT_LABELS.has(h));
    e.hard.push(c);
  }

  /** A name as another clerk types it: another spelling that normalises to the same name. */
  private spelling(rng: Rng, name: string): string {
    const variants = [traditionalVariant(name), bracketVariant(name), spaceVariant(rng, name)].filter(
      (v): v is string => v !== undefined && normaliseName(v) === normaliseName(name),
    );
    return rng.chance(0.5) && variants.length > 0 ? rng.pick(variants) : name;
  }

  /** Claims a name city-wide, with its 个体工商户 marker form (the linker drops the marker). */
  private claim(name: string): boolean {
    if (!this.f.claimName(name)) return false;
    return name.endsWith('（个体工商户）') || this.f.claimName(`${name}（个体工商户）`);
  }

  private district(e: Employer): District {
    const d = this.f.ctx.city.districts.find((x) => x.code === e.districtCode);
    if (d === undefined) throw new Error(`${e.key}: district ${e.districtCode} is not in the city`);
    return d;
  }

  /** `n` former names of the employer's kind in its district, each a name no other employer has. */
  private formerNames(rng: Rng, e: Employer, n: number): string[] {
    const city = this.f.ctx.city;
    const district = this.district(e);
    const names: string[] = [];
    for (let attempt = 0; names.length < n; attempt++) {
      if (attempt > 200) throw new Error(`${e.key}: no free former name`);
      const trade = tradeName(rng) + (attempt > 20 ? tradeName(rng) : '');
      const name =
        e.kind === 'individual'
          ? individualName(rng, city, district, trade, 'full').name
          : e.kind === 'coop'
            ? coopName(rng, city, district, e.street, trade).name
            : enterpriseName(rng, city, district, trade).name;
      if (this.claim(name)) names.push(name);
    }
    return names;
  }

  /** The name a unit was enrolled under before the registry's current one: unlike it, and nobody's. */
  private oldName(rng: Rng, e: Employer): string {
    const city = this.f.ctx.city;
    const district = this.district(e);
    for (let attempt = 0; attempt < 200; attempt++) {
      const ind = rng.pick(ENTERPRISE_INDUSTRIES);
      const trade = tradeName(rng);
      const name = rng.chance(0.5) ? `${districtPrefix(city, district)}${trade}${ind.word}厂` : `${city.name}${trade}${ind.word}有限公司`;
      if (nameSimilarity(name, e.name).score >= this.link.reviewMin - 0.05) continue;
      if (this.claim(name)) return name;
    }
    throw new Error(`${e.key}: no free old name`);
  }

  /**
   * A registry name `苏州<trade><industry>有限公司` and a near miss of it (one or two slips in the
   * industry word, at least one of its characters kept) whose similarity is from review_min up to
   * auto_accept; both names claimed, and the candidate's core under the other legal forms too. No
   * other industry word of the same length keeps the same characters, so no other employer's name
   * is as close to the near miss.
   */
  private nearMissPair(rng: Rng): { named: NamedEntity; near: string; district: District } {
    const city = this.f.ctx.city;
    const district = rng.pick(city.districts);
    for (let attempt = 0; attempt < 500; attempt++) {
      const ind = rng.pick(ENTERPRISE_INDUSTRIES);
      const core = `${city.short}${tradeName(rng)}${ind.word}`;
      const name = `${core}有限公司`;
      const near = this.nearMiss(rng, name, ind.word);
      if (near === undefined || !this.claim(near)) continue;
      // The same core under another legal form would be as close to the near miss: nobody may have it.
      if (!SAME_CORE_FORMS.every((form) => this.claim(`${core}${form}`))) continue;
      return { named: { name, industryCode: ind.code, industryLabel: ind.label, entityType: '有限责任公司(自然人投资或控股)' }, near, district };
    }
    throw new Error('no near-miss name pair found');
  }

  private nearMiss(rng: Rng, name: string, word: string): string | undefined {
    const at = name.lastIndexOf(word);
    const chars = [...word];
    const singles = chars.map((_, i) => [i]);
    const doubles = chars.flatMap((_, i) => chars.map((_, j) => [i, j]).filter(([a, b]) => (a as number) < (b as number)));
    for (const slips of [...shuffle(rng, singles), ...shuffle(rng, doubles)]) {
      if (slips.length >= chars.length) continue;
      const kept = (w: string): boolean => [...w].every((c, i) => slips.includes(i) || c === chars[i]);
      if (ENTERPRISE_INDUSTRIES.some((i) => i.word !== word && i.word.length === word.length && kept(i.word))) continue;
      const typed = chars.map((c, i) => (slips.includes(i) ? this.slip(c) : c));
      if (typed.some((c) => c === undefined)) continue;
      const near = name.slice(0, at) + typed.join('') + name.slice(at + word.length);
      const s = nameSimilarity(near, name);
      if (s.sameSuffix && s.blocked && s.score >= this.link.reviewMin && s.score < this.link.autoAccept) return near;
    }
    return undefined;
  }

  private slip(c: string): string | undefined {
    return [...(TYPOS[c] ?? '')].find((t) => !this.alphabet.has(t));
  }
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
