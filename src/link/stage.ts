import type { Db } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import { runSteps, type SqlStep } from '../db/steps.ts';
import type { DatedRunContext } from '../config/context.ts';
import { CODE_MACROS_SQL } from './codes-sql.ts';
import { nameMacrosSql, regionPrefixPattern, simplify } from './names.ts';
import { jaroWinkler } from './similarity.ts';

const step = sqlSteps(new URL('./link.sql', import.meta.url));
const personStep = sqlSteps(new URL('./persons.sql', import.meta.url));

export interface LinkSummary {
  records: number;
  employers: number;
  newEmployers: number;
  byMethod: Record<string, number>;
  review: number;
  dataQuality: Record<string, number>;
  nameMatchingMs: number;
  /** People (valid resident IDs of the person-level kinds' current data) seen this run, and of them new. */
  persons: { seen: number; new: number };
}

/** A step of persons.sql by its name. */
function p(name: string, params?: SqlStep['params'], creates?: string[]): SqlStep {
  return { name, sql: personStep(name), ...(params ? { params } : {}), ...(creates ? { creates } : {}) };
}

/** A step of link.sql by its name. */
function s(name: string, params?: SqlStep['params'], creates?: string[]): SqlStep {
  return { name, sql: step(name), ...(params ? { params } : {}), ...(creates ? { creates } : {}) };
}

/**
 * The linking stage (link.sql, docs/rules.md "Linking"): links every record to an employer and
 * rebuilds employers, employer_links and employer_keys; near misses go to link_review (and
 * link_review_pairs), and the decisions people made on them (link_decisions) are applied first.
 */
export async function linkEmployers(db: Db, ctx: DatedRunContext): Promise<LinkSummary> {
  const run = ctx.runId;
  const p = ctx.pipeline.link;
  // Character-level similarity and traditional-to-simplified need JS: DuckDB's string distances count bytes.
  db.registerTextFunction('recon_jaro_winkler', 2, 'DOUBLE', (a, b) => jaroWinkler(a ?? '', b ?? ''));
  db.registerTextFunction('recon_simplify', 1, 'VARCHAR', (name) => simplify(name ?? ''));
  await runSteps(db, [{ name: 'link.macros', sql: CODE_MACROS_SQL + nameMacrosSql() }, s('link.records')]);
  const nameStarted = performance.now();
  await runSteps(db, [
    s('link.uscc', undefined, ['_links']),
    s('link.org_code', { run }, ['_anchor_org', '_links']),
    s('link.decisions', { run }, ['_decisions', '_same', '_forbidden', '_links']),
    s('link.names.prepare', undefined, ['_anchor_names', '_unlinked']),
    s('link.names.exact', { run }, ['_exact', '_links']),
    s('link.names.former', { run }, ['_former_names', '_former', '_links']),
    s('link.names.city.regions', undefined, ['_region_names']),
  ]);
  const divisions = await db.all<{ name: string }>(step('link.names.city.divisions'), undefined, { step: 'link.names.city.divisions' });
  // No anchor in a known division: nothing to strip (a pattern that matches nothing).
  const prefix = divisions.length ? regionPrefixPattern(divisions.map((d) => d.name)) : '^[^\\s\\S]';
  await runSteps(db, [
    s('link.names.city', { prefix }, ['_anchor_keys', '_district_names', '_city', '_links']),
    s('link.names.similar', { accept: p.autoAccept, margin: p.margin }, ['_candidates', '_best', '_links']),
  ]);
  const nameMatchingMs = Math.round(performance.now() - nameStarted);
  await runSteps(db, [
    s('link.review', { run, as_of: ctx.dates.asOf, review: p.reviewMin, accept: p.autoAccept, margin: p.margin }),
    s('link.own', undefined, ['_links']),
    s('link.ids', { run }, ['_cluster_keys', '_claims', '_assigned', '_fresh', '_keys_now', '_keys_rebuilt']),
  ]);
  const fresh = await db.one<{ n: bigint }>(step('link.fresh'), undefined, { step: 'link.fresh' });
  await runSteps(db, [s('link.employers'), s('link.agents'), s('link.units'), s('link.conflicts', { run, below: p.conflictBelow })]);
  const persons = await linkPersons(db, run);
  const summary = { ...(await summarise(db, run, Number(fresh?.n ?? 0), nameMatchingMs)), persons };
  ctx.logger.info(
    { ...summary },
    `link: ${summary.records} records -> ${summary.employers} employers (${summary.newEmployers} new), ${summary.review} to review; ${persons.seen} people (${persons.new} new)`,
  );
  return summary;
}

/** persons.sql: every valid resident ID of the person kinds gets its stable key; invalid IDs become data-quality issues. */
async function linkPersons(db: Db, run: string): Promise<{ seen: number; new: number }> {
  await runSteps(db, [
    p('link.persons.ids', undefined, ['_person_ids']),
    p('link.persons.seen', { run }),
    p('link.persons.new', { run }),
    p('link.persons.invalid_ids', { run }),
  ]);
  const counts = await db.one<{ seen: bigint; new: bigint }>(personStep('link.persons.summary'), { run }, { step: 'link.persons.summary' });
  return { seen: Number(counts?.seen ?? 0), new: Number(counts?.new ?? 0) };
}

async function summarise(db: Db, run: string, newEmployers: number, nameMatchingMs: number): Promise<Omit<LinkSummary, 'persons'>> {
  const methods = await db.all<{ method: string; n: bigint }>(step('link.summary.methods'), undefined, { step: 'link.summary' });
  const dq = await db.all<{ category: string; n: bigint }>(step('link.summary.dq'), { run }, { step: 'link.summary' });
  const totals = await db.one<{ records: bigint; employers: bigint; review: bigint }>(step('link.summary.totals'), undefined, { step: 'link.summary' });
  return {
    records: Number(totals?.records ?? 0),
    employers: Number(totals?.employers ?? 0),
    newEmployers,
    byMethod: Object.fromEntries(methods.map((m) => [m.method, Number(m.n)])),
    review: Number(totals?.review ?? 0),
    dataQuality: Object.fromEntries(dq.map((d) => [d.category, Number(d.n)])),
    nameMatchingMs,
  };
}
