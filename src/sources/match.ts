import { CONTRACTS, KINDS, normaliseHeader, rangeEnd, type Kind, type SourceContract } from './index.ts';

export interface KindMatch {
  kind: Kind;
  /** canonical column -> index of the header cell it comes from */
  columns: Record<string, number>;
  /** required canonical columns with no header */
  missing: string[];
  /** header cells that matched a column already taken by an earlier cell */
  duplicates: string[];
  matched: number;
}

/** Matches one header row against one contract. */
export function matchContract(contract: SourceContract, headers: readonly string[]): KindMatch {
  const normalised = headers.map(normaliseHeader);
  const columns: Record<string, number> = {};
  const duplicates: string[] = [];
  const taken = new Set<number>();
  for (const column of contract.columns) {
    const aliases = new Set(column.aliases.map(normaliseHeader));
    const hits = normalised.flatMap((h, i) => (aliases.has(h) && !taken.has(i) ? [i] : []));
    const first = hits[0];
    if (first === undefined) continue;
    columns[column.name] = first;
    taken.add(first);
    for (const extra of hits.slice(1)) duplicates.push(headers[extra] ?? '');
  }
  // A period given as its first and last day (所属期起 / 所属期止), when no single column holds it.
  for (const column of contract.columns) {
    if (!column.range || columns[column.name] !== undefined) continue;
    const at = (aliases: string[]): number => {
      const wanted = new Set(aliases.map(normaliseHeader));
      return normalised.findIndex((h, i) => wanted.has(h) && !taken.has(i));
    };
    const from = at(column.range.from);
    const to = at(column.range.to);
    if (from < 0 || to < 0) continue;
    columns[column.name] = from;
    columns[rangeEnd(column.name)] = to;
    taken.add(from).add(to);
  }
  const missing = contract.columns.filter((c) => c.required && columns[c.name] === undefined).map((c) => c.name);
  return { kind: contract.kind, columns, missing, duplicates, matched: Object.keys(columns).length };
}

/** The kinds whose required columns are all present, best first (most columns matched). */
export function candidateKinds(headers: readonly string[]): KindMatch[] {
  return KINDS.map((k) => matchContract(CONTRACTS[k], headers))
    .filter((m) => m.missing.length === 0)
    .sort((a, b) => b.matched - a.matched);
}

/** All kinds ranked by closeness (fewest missing required, then most matched): for error messages. */
export function closestKinds(headers: readonly string[]): KindMatch[] {
  return KINDS.map((k) => matchContract(CONTRACTS[k], headers)).sort((a, b) => a.missing.length - b.missing.length || b.matched - a.matched);
}

/** A required column's Chinese label with its accepted spellings, for messages. */
export function describeColumn(kind: Kind, name: string): string {
  const column = CONTRACTS[kind].columns.find((c) => c.name === name);
  if (!column) return name;
  const pair = column.range ? `, or the pair ${column.range.from.join(' / ')} + ${column.range.to.join(' / ')}` : '';
  return `${column.label} (${name}; accepted: ${column.aliases.join(' / ')}${pair})`;
}
