/**
 * Identity numbers of generated people (EXPORTS.md "Identity numbers"): resident IDs (GB 11643,
 * ISO 7064 MOD 11-2 check character) made unique by construction, so that millions of people
 * need no set of the numbers handed out; the written variants the agencies produce (15-digit
 * 1989 form, lower-case x, full-width digits); broken ones (bad check character, impossible
 * birth date); and the numbers of other ID types (foreign passports, Hong Kong/Macao residence
 * permits).
 */
import { pad2, ymd } from './dates.ts';
import { hashLabel } from './random.ts';
import type { Rng } from './random.ts';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The check character of the first 17 digits of a resident ID. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charAt(i)) * (WEIGHTS[i] as number);
  return CHECK.charAt(sum % 11);
}

/** An 18-character resident ID from its parts (birth date as a day number). */
export function residentId(region6: string, birth: number, seq: number): string {
  const { y, m, d } = ymd(birth);
  const first17 = `${region6}${y}${pad2(m)}${pad2(d)}${String(seq).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

/** The 15-digit (1989) form of an 18-character ID born in the 1900s: no century, no check character. */
export function to15(id18: string): string {
  if (id18.slice(6, 8) !== '19') throw new Error('only IDs born in the 1900s have a 15-digit form');
  return id18.slice(0, 6) + id18.slice(8, 17);
}

/** Full-width digits and letters, as some input methods type them. */
export function fullWidth(text: string): string {
  return [...text].map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
}

/** The same number with a mistyped check character (fails the check). */
export function breakIdCheck(id18: string): string {
  const right = CHECK.indexOf(id18.charAt(17));
  return id18.slice(0, 17) + CHECK.charAt((right + 3) % 11);
}

/**
 * Normalises a written resident ID the way EXPORTS.md says it is read: NFKC (full-width to
 * half-width), spaces removed, upper case, a 15-digit number upgraded by inserting `19` and
 * computing the check character. Anything else is returned folded but otherwise as written.
 */
export function normaliseResidentId(written: string): string {
  const folded = written.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  if (/^\d{15}$/.test(folded)) {
    const first17 = `${folded.slice(0, 6)}19${folded.slice(6)}`;
    return first17 + idCheckChar(first17);
  }
  return folded;
}

/** Birth date of an 18-character ID as a day number, or null when it is not a calendar date. */
export function birthOf(id18: string): number | null {
  const y = Number(id18.slice(6, 10));
  const m = Number(id18.slice(10, 12));
  const d = Number(id18.slice(12, 14));
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return null;
  const ms = Date.UTC(y, m - 1, d);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return ms / 86_400_000;
}

/** Whole years completed on `on` by someone born on `birth` (a 29 February birthday counts on 1 March). */
export function ageOn(birth: number, on: number): number {
  const b = ymd(birth);
  const t = ymd(on);
  return t.y - b.y - (t.m < b.m || (t.m === b.m && t.d < b.d) ? 1 : 0);
}

/** The date `years` calendar years before `day` (29 February becomes 28 February in other years). */
export function yearsBefore(day: number, years: number): number {
  const { y, m, d } = ymd(day);
  const target = Date.UTC(y - years, m - 1, d) / 86_400_000;
  // Date.UTC rolls 29 February of a non-leap year over to 1 March; take the 28th instead.
  return ymd(target).m !== m ? target - 1 : target;
}

/** Address codes of people from elsewhere (migrant workers): real county codes of other provinces. */
export const MIGRANT_REGIONS = ['341222', '411527', '511321', '321322', '520324', '420116', '371321', '342221', '412726', '513030'] as const;

/**
 * Hands out resident IDs that never repeat without remembering them. Each (region, pool, sex)
 * has a counter c; the birth date is the ((c + h) mod N)-th day of the pool's range in a
 * scrambled order (h a hash of the key), and the sequence number is `base + 2 * pi(floor(c / N))
 * + (1 male | 2 female)` with pi a permutation of the rounds, so two values of one counter give
 * the same date only in different rounds, hence different sequence numbers. Pools own disjoint sequence bands: background people 001-600, other ranges 601-800;
 * planted people draw from 801-999 and are kept in a (small) set.
 */
export class IdAllocator {
  private readonly counters = new Map<string, number>();
  private readonly planted = new Set<string>();

  /** Pools: a birth-date range (inclusive day numbers) and a sequence band. */
  constructor(private readonly pools: Record<string, { from: number; to: number; base: number; size: number }>) {}

  /** A new unique ID in a pool. */
  next(region6: string, pool: string, male: boolean): { id: string; birth: number } {
    const p = this.pools[pool];
    if (p === undefined) throw new Error(`no ID pool ${pool}`);
    const key = `${region6}:${pool}:${male ? 1 : 2}`;
    const c = this.counters.get(key) ?? 0;
    this.counters.set(key, c + 1);
    const n = p.to - p.from + 1;
    const rounds = p.size / 2;
    const round = Math.floor(c / n);
    if (round >= rounds) throw new Error(`ID pool ${pool} of region ${region6} is exhausted`);
    // Both the date and the round are spread (a per-key offset, a multiplier coprime with the
    // range), so sequence numbers are not all 001 and the first people are not all born on one day.
    const h = hashLabel(key);
    const seq = p.base + 2 * ((round * 7 + h) % rounds) + (male ? 1 : 2);
    const birth = p.from + scramble((c + h) % n, n);
    return { id: residentId(region6, birth, seq), birth };
  }

  /** A planted person's ID with an exact birth date; `wantX` asks for a check character X. */
  plant(region6: string, birth: number, male: boolean, wantX = false): string {
    // A large city plants one case's exact birth date in one district more than the band holds
    // (hundreds of rounds): then the planted band of the migrants' regions, which next() never
    // uses. Smaller cities never get there, so their files do not change.
    for (const region of [region6, ...MIGRANT_REGIONS]) {
      for (let seq = male ? 801 : 802; seq <= 999; seq += 2) {
        const id = residentId(region, birth, seq);
        if (this.planted.has(id.slice(0, 17))) continue;
        if (wantX && !id.endsWith('X')) continue;
        this.planted.add(id.slice(0, 17));
        return id;
      }
    }
    throw new Error(`no planted ID left for ${region6} born ${birth}`);
  }
}

/** A bijection of [0, n): multiplication by a number coprime with n, so neighbours spread over the range. */
function scramble(i: number, n: number): number {
  let p = MULTIPLIERS.get(n);
  if (p === undefined) {
    p = 7919;
    while (gcd(p, n) !== 1) p += 2;
    MULTIPLIERS.set(n, p);
  }
  return (i * p) % n;
}
const MULTIPLIERS = new Map<number, number>();

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** A foreign passport number (letters and digits; matched exactly, never a resident ID). */
export function passportNumber(rng: Rng): string {
  return `${rng.pick(['M', 'K', 'P', 'G', 'E'])}${rng.pick(['', 'R', 'J'])}${rng.int(1_000_000, 9_999_999)}`;
}

/** A Hong Kong/Macao residents' residence permit number: 810000/820000 + birth date + seq, a valid check. */
export function hkPermitNumber(birth: number, rng: Rng): string {
  return residentId(rng.chance(0.7) ? '810000' : '820000', birth, rng.int(1, 999));
}
