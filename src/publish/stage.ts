import type { Db } from '../db/database.ts';
import type { DatedRunContext } from '../config/context.ts';
import { writeFindingsCsv } from './findings-csv.ts';
import { writeDataQualityCsv } from './data-quality-csv.ts';
import { writeNotices } from './notices.ts';
import { writeWorklists, type WorklistSummary } from './worklists.ts';
import { createLedgerViews, fillLedgerEmployer } from './ledger-views.ts';
import { writeLedger } from './ledger.ts';
import { writeSummaryHtml } from './summary-html.ts';
import { createCampaignViews, recordDistrictProgress } from '../campaign/targets.ts';
import { writeCampaignLists } from '../campaign/lists.ts';

export interface PublishSummary {
  /** 社会保险登记告知书 sent in this run. */
  notices: number;
  worklists: WorklistSummary;
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
  const progress = await timed('publish.ledger_tables', async () => {
    await createLedgerViews(db);
    await createCampaignViews(db);
    await fillLedgerEmployer(db, ctx);
    return recordDistrictProgress(db, ctx.runId, ctx.logger);
  });
  await timed('publish.ledger', () => writeLedger(db, ctx, timings));
  await timed('publish.summary', () => writeSummaryHtml(db, ctx));
  // Campaign lists (失信联合惩戒候选名单, arrears lists) and their views: src/campaign/lists.ts.
  const lists = await timed('publish.campaign', () => writeCampaignLists(db, ctx));
  return { notices, worklists, campaign: { ...lists, unresolvedTargets: progress.unresolved } };
}
