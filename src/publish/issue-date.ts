/** The time zone documents are dated in: the offices' own (the machine's may differ). */
export const ISSUE_TIME_ZONE = 'Asia/Shanghai';

const FORMAT = new Intl.DateTimeFormat('en-CA', { timeZone: ISSUE_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * The day a document (告知书, worklist) is issued: the run's start as a calendar date in
 * Asia/Shanghai, YYYY-MM-DD. Not the data's as-of date, which can be weeks earlier.
 */
export function issueDate(startedAt: Date): string {
  return FORMAT.format(startedAt);
}

/** 2026-11-05 -> 2026年11月05日 */
export function cnDate(iso: string | null): string {
  if (!iso) return '';
  const [y, m, d] = iso.split('-');
  return `${y}年${m}月${d}日`;
}
