import type { Db } from '../db/database.ts';
import type { DatedRunContext } from '../config/context.ts';
import { writeFindingsCsv } from './findings-csv.ts';
import { writeDataQualityCsv } from './data-quality-csv.ts';
import { writeNotices } from './notices.ts';
import { writeWorklists, type WorklistSummary } from './worklists.ts';
import { createLedgerViews, fillLedgerEmployer, fillLedgerPerson } from './ledger-views.ts';
import { writePersonLists, type PersonListsSummary } from './person-lists.ts';
import { writeProjectLists } from './project-lists.ts';
import { writeReviewList } from './review-list.ts';
import { writeLedger } from './ledger.ts';
import { writeSummaryHtml } from './summary-html.ts';
import { createCampaignViews, recordDistrictProgress } from '../campaign/targets.ts';
import { writeCampaignLists } from '../campaign/lists.ts';

export interface PublishSummary {
  /** 社会保险登记告知书 sent in this run. */
  notices: number;
  worklists: WorklistSummary;
  /** 续保提醒 and 代缴名单 (persons/, restricted/). */
  persons: PersonListsSummary;
  campaign: { blacklist: number; arrears: Record<string, number>; unresolvedTargets: string[] };
}

/** Times one part of the stage (the pipeline's timer: `publish.<part>` in run.json). */
export type PartTimer = <T>(part: string, fn: () => Promise<T>) => Promise<T>;

/**
 * The publish stage: everything a run writes into its run folder, from the tables the earlier
 * stages filled. Notices come first (a worklist row shows the notice sent to its employer); the
 * ledger tables and views next, then the ledger, the summary page and the campaign lists.
 */
export async function publishRun(db: Db, ctx: DatedRunContext, timed: PartTimer, timings: Record<string, number>): Promise<PublishSummary> {
  await timed('publish.csv', async () => {
    await writeFindingsCsv(db, ctx);
    await writeDataQualityCsv(db, ctx);
  });
  const notices = (await timed('publish.notices', () => writeNotices(db, ctx))).notices;
  const worklists = await timed('publish.worklists', () => writeWorklists(db, ctx));
  const { progress, personFacts } = await timed('publish.ledger_tables', async () => {
    await createLedgerViews(db);
    await createCampaignViews(db);
    await fillLedgerEmployer(db, ctx);
    const person = await fillLedgerPerson(db, ctx);
    return { progress: await recordDistrictProgress(db, ctx.runId, ctx.logger), personFacts: person.facts };
  });
  // 续保提醒 (persons/) and 代缴名单 (restricted/, full ID numbers, 0700/0600): src/publish/person-lists.ts.
  const persons = await timed('publish.persons', () => writePersonLists(db, ctx, { facts: personFacts }));
  // 新开工项目未参保 (projects/) and the view ledger_project_district: src/publish/project-lists.ts.
  await timed('publish.projects', () => writeProjectLists(db, ctx));
  // 待人工确认 (review/): the pairs the linker could not decide, for an analyst to judge (src/publish/review-list.ts).
  await timed('publish.review', () => writeReviewList(db, ctx));
  await timed('publish.ledger', () => writeLedger(db, ctx, timings));
  await timed('publish.summary', () => writeSummaryHtml(db, ctx));
  // Campaign lists (失信联合惩戒候选名单, arrears lists) and their views: src/campaign/lists.ts.
  const lists = await timed('publish.campaign', () => writeCampaignLists(db, ctx));
  return { notices, worklists, persons, campaign: { ...lists, unresolvedTargets: progress.unresolved } };
}
