/**
 * Identifiers the agencies hand out, generated valid: USCC (GB 32100) with the organisation
 * code (GB 11714) in characters 9-17, legacy 15-character tax numbers, resident ID numbers
 * (GB 11643) for individual businesses, SI unit numbers. The check characters come from
 * `src/link/codes.ts`, the same functions the pipeline checks with.
 */
import { USCC_ALPHABET, orgCodeCheckChar, usccCheckChar } from '../../src/link/codes.ts';
import type { Rng } from './random.ts';
import { pad2 } from './dates.ts';

/** Letters allowed in both an organisation code body and a USCC (no I, O, Z, S, V). */
const BODY_LETTERS = 'ABCDEFGHJKLMNPQRTUWXY';
const DIGITS = '0123456789';

/** The first two characters of a USCC per employer kind (registration department + category). */
export const USCC_PREFIX = {
  enterprise: '91',
  individual: '92',
  coop: '93',
  social_group: '51',
  social_service: '52',
  foundation: '53',
} as const;

/**
 * An organisation code (8 body characters + GB 11714 check). Entities registered since the
 * 2015 reform get `MA` + 6 characters (what the USCC system assigns); older ones 8 digits.
 */
export function makeOrgCode(rng: Rng, modern: boolean): string {
  let body = '';
  if (modern) {
    body = 'MA';
    for (let i = 0; i < 6; i++) body += rng.chance(0.6) ? rng.pick([...DIGITS]) : rng.pick([...BODY_LETTERS]);
  } else {
    for (let i = 0; i < 8; i++) body += rng.pick([...DIGITS]);
  }
  return body + orgCodeCheckChar(body);
}

/** A full USCC: prefix (2) + region (6) + organisation code (9) + GB 32100 check character. */
export function makeUscc(prefix: string, region6: string, orgCode9: string): string {
  const first17 = prefix + region6 + orgCode9;
  return first17 + usccCheckChar(first17);
}

/** The legacy 15-character tax number of a pre-reform unit: region (6) + organisation code (9). */
export function legacyTaxId(region6: string, orgCode9: string): string {
  return region6 + orgCode9;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** A resident ID number (GB 11643) born in [1960, 2000], with a valid check character. */
export function makeResidentId(rng: Rng, region6: string): string {
  const y = rng.int(1960, 2000);
  const m = rng.int(1, 12);
  const d = rng.int(1, 28);
  const first17 = `${region6}${y}${pad2(m)}${pad2(d)}${String(rng.int(1, 999)).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charAt(i)) * (ID_WEIGHTS[i] as number);
  return first17 + ID_CHECK.charAt(sum % 11);
}

/** The taxpayer number of an individual business registered on its owner's ID: ID + 2 digits. */
export function idTaxpayerId(residentId: string, rng: Rng): string {
  return residentId + pad2(rng.int(0, 3));
}

/**
 * An SI unit number: numeric, with leading zeros on purpose (`0508` + serial), because a
 * reader that takes it for a number loses them.
 */
export function makeUnitId(districtCode: string, serial: number): string {
  return `0${districtCode.slice(4)}${String(serial).padStart(7, '0')}`;
}

/** A 15-digit pre-2015 registration number (注册号): region + 8-digit serial + check digit. */
export function makeRegNo(region6: string, serial: number): string {
  const first14 = region6 + String(serial % 100_000_000).padStart(8, '0');
  // ISO 7064 MOD 11,10 as GB 21624 uses for 注册号.
  let p = 10;
  for (let i = 0; i < 14; i++) {
    let s = (p % 11) + Number(first14.charAt(i));
    s = s % 10 === 0 ? 10 : s % 10;
    p = s * 2;
  }
  const check = (11 - (p % 11)) % 10;
  return first14 + String(check);
}

/** Breaks a USCC's check character on purpose (a data-quality case the pipeline must report). */
export function breakCheckChar(uscc: string): string {
  const current = USCC_ALPHABET.indexOf(uscc.charAt(17));
  return uscc.slice(0, 17) + USCC_ALPHABET.charAt((current + 7) % USCC_ALPHABET.length);
}
