import { createHmac } from 'node:crypto';

/**
 * Personal data in texts (/work/shared/EXPORTS.md, "Personal data"): resident ID numbers and
 * mobile numbers found inside any text, however they are written. An export may carry an ID
 * in full-width digits (３２０５…), in groups (`320505 19800101 1234`, `320505-19800101-1234`),
 * or with invisible characters inside (a zero-width joiner, a soft hyphen, a bidi mark): each
 * is folded (NFKC, format and control characters and separators between digits dropped)
 * before it is recognised, so none of them passes unmasked.
 */

/** Code points whose NFKC form is one ASCII digit (full-width, super/subscript, circled, mathematical), as [from, to] pairs. */
const DIGIT_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x30, 0x39],
  [0xb2, 0xb3],
  [0xb9, 0xb9],
  [0x2070, 0x2070],
  [0x2074, 0x2079],
  [0x2080, 0x2089],
  [0x2460, 0x2468],
  [0x24ea, 0x24ea],
  [0xff10, 0xff19],
  [0x1ccf0, 0x1ccf9],
  [0x1d7ce, 0x1d7ff],
  [0x1fbf0, 0x1fbf9],
];

const hex = (n: number): string => n.toString(16).toUpperCase();

/** The digit-like characters as a regex character class for JavaScript (`u` flag). */
const DIGIT_CLASS_JS = `[${DIGIT_RANGES.map(([a, b]) => (a === b ? `\\u{${hex(a)}}` : `\\u{${hex(a)}}-\\u{${hex(b)}}`)).join('')}]`;

/**
 * The digit-like characters as an RE2 character class (`[^...]` when `negated`), for DuckDB's
 * regexp functions: SQL uses it to skip values that cannot hold an ID or a phone before calling
 * the masking function.
 */
export function digitClassRe2(negated = false): string {
  return `[${negated ? '^' : ''}${DIGIT_RANGES.map(([a, b]) => (a === b ? `\\x{${hex(a)}}` : `\\x{${hex(a)}}-\\x{${hex(b)}}`)).join('')}]`;
}

const DIGIT_LIKE = new RegExp(DIGIT_CLASS_JS, 'gu');
/** Separators that may sit between the digits of one number: spaces, dashes, format (zero-width, bidi) and control characters. */
const SEPARATOR = /^[\s\p{Pd}\p{Cf}\p{Cc}]$/u;
const ID18 = /^[1-8]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]$/;
const ID15 = /^[1-8]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}$/;
const MOBILE = /^1[3-9]\d{9}$/;

/** A run of digits (and X) in a text: where it is, and its folded value. */
interface Segment {
  start: number;
  end: number;
  value: string;
  /** A letter or digit touches it on the left / right (then it is part of a longer code). */
  closedLeft: boolean;
  closedRight: boolean;
  /** Only separators lie between the previous segment and this one. */
  joined: boolean;
}

type CharKind = 'digit' | 'x' | 'sep' | 'alnum' | 'other';

function classify(ch: string): { kind: CharKind; folded: string } {
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0x30 && code <= 0x39) return { kind: 'digit', folded: ch };
  if (code < 0x80) {
    if (ch === 'x' || ch === 'X') return { kind: 'x', folded: 'X' };
    if (/[A-Za-z]/.test(ch)) return { kind: 'alnum', folded: ch };
    return { kind: SEPARATOR.test(ch) ? 'sep' : 'other', folded: ch };
  }
  if (SEPARATOR.test(ch)) return { kind: 'sep', folded: ch };
  const folded = ch.normalize('NFKC');
  if (/^\d$/.test(folded)) return { kind: 'digit', folded };
  if (folded === 'x' || folded === 'X') return { kind: 'x', folded: 'X' };
  if (/^[A-Za-z0-9]/.test(folded)) return { kind: 'alnum', folded };
  return { kind: 'other', folded };
}

/** The digit segments of a text, with what touches them. */
function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let current: Segment | undefined;
  let sinceLast: 'none' | 'seps' | 'other' = 'other';
  let prevKind: CharKind = 'other';
  let offset = 0;
  for (const ch of text) {
    const { kind, folded } = classify(ch);
    if (kind === 'digit' || (kind === 'x' && current)) {
      if (!current) {
        current = {
          start: offset,
          end: offset,
          value: '',
          closedLeft: prevKind === 'alnum' || prevKind === 'x',
          closedRight: false,
          joined: sinceLast === 'seps',
        };
        out.push(current);
      }
      current.value += folded;
      current.end = offset + ch.length;
    } else {
      if (current) {
        current.closedRight = kind === 'alnum' || kind === 'x';
        current = undefined;
        sinceLast = 'none';
      }
      if (kind === 'sep') {
        if (sinceLast === 'none') sinceLast = 'seps';
      } else sinceLast = 'other';
    }
    // A segment right after a letter is closed on the left; an X only ends a segment.
    prevKind = kind;
    offset += ch.length;
  }
  return out;
}

interface Matcher {
  /** Longest folded value it can match. */
  maxLength: number;
  test(value: string): boolean;
  mask(value: string): string;
}

const ID_MATCHER: Matcher = {
  maxLength: 18,
  test: (v) => ID18.test(v) || ID15.test(v),
  mask: (v) => v.slice(0, 6) + '*'.repeat(v.length - 10) + v.slice(-4),
};

const MOBILE_MATCHER: Matcher = {
  maxLength: 11,
  test: (v) => MOBILE.test(v),
  mask: (v) => `${v.slice(0, 3)}****${v.slice(-4)}`,
};

function digitLikeCount(text: string, atLeast: number): boolean {
  DIGIT_LIKE.lastIndex = 0;
  let n = 0;
  while (DIGIT_LIKE.exec(text)) if (++n >= atLeast) return true;
  return false;
}

/**
 * Finds whole segments, or runs of segments joined by separators only, whose folded value a
 * matcher accepts, and replaces each span with its masked folded value. A segment is never
 * split: `32050219800101123401` (a 20-digit code) is no ID, but `320505 19800101 1234` is one
 * and so is the first part of `320505198001011234 13912345678`.
 */
function maskWith(text: string, matchers: Matcher[], minDigits: number, keep?: ReadonlySet<string>): string {
  if (!digitLikeCount(text, minDigits)) return text;
  const segs = segments(text);
  const spans: Array<{ start: number; end: number; text: string }> = [];
  for (let i = 0; i < segs.length; i++) {
    const first = segs[i] as Segment;
    if (first.closedLeft) continue;
    let value = '';
    let best: { j: number; text: string } | undefined;
    for (let j = i; j < segs.length; j++) {
      const seg = segs[j] as Segment;
      if (j > i && !seg.joined) break;
      value += seg.value;
      if (value.length > 18) break;
      // X is a check character: only the last character of an ID.
      if (value.slice(0, -1).includes('X')) break;
      if (seg.closedRight) continue;
      const m = matchers.find((x) => value.length <= x.maxLength && x.test(value));
      if (m) best = { j, text: keep?.has(value) ? text.slice(first.start, (segs[j] as Segment).end) : m.mask(value) };
    }
    if (best) {
      spans.push({ start: first.start, end: (segs[best.j] as Segment).end, text: best.text });
      i = best.j;
    }
  }
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + s.text;
    at = s.end;
  }
  return out + text.slice(at);
}

/**
 * Masks resident ID numbers (18-character, and the old 15-digit form) inside a text, however
 * written: `310101********1234`. `keep`: folded values that are known not to be personal (the
 * run's building-permit numbers, many of which have an ID's shape: 区划 + 发证日期 + 流水号) stay
 * as written.
 */
export function maskIdNumbers(text: string, keep?: ReadonlySet<string>): string {
  return maskWith(text, [ID_MATCHER], 15, keep);
}

/** Masks ID numbers and mobile numbers (`139****5678`) inside a text: for exports that leave the office's systems. `keep` as maskIdNumbers. */
export function maskPersonal(text: string, keep?: ReadonlySet<string>): string {
  return maskWith(text, [ID_MATCHER, MOBILE_MATCHER], 11, keep);
}

/** Whether a code holds a resident ID number (all of it, or an ID and two digits: an individual business's taxpayer number). */
export function holdsIdNumber(code: string): boolean {
  if (!digitLikeCount(code, 15)) return false;
  const folded = [...code]
    .map((ch) => classify(ch))
    .filter((c) => c.kind !== 'sep')
    .map((c) => c.folded)
    .join('')
    .toUpperCase();
  return ID18.test(folded) || ID15.test(folded) || (/^\d{20}$/.test(folded) && ID18.test(folded.slice(0, 18)));
}

/**
 * A keyed hash (HMAC-SHA256) of a code that holds an ID number, for exports that need a join
 * key without the number: the same code gives the same value in every table and every export
 * made with the same key (`src/db/secrets.ts`), and nobody without the key can test a guess.
 */
export function pseudonym(key: Buffer, code: string): string {
  const folded = [...code]
    .map((ch) => classify(ch))
    .filter((c) => c.kind !== 'sep')
    .map((c) => c.folded)
    .join('')
    .toUpperCase();
  return `h:${createHmac('sha256', key).update(folded).digest('hex').slice(0, 32)}`;
}
