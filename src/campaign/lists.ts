import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { DatedRunContext } from '../config/context.ts';
import { createBlacklistViews, writeBlacklist } from './blacklist.ts';
import { createArrearsViews, writeArrearsLists } from './arrears-lists.ts';

/**
 * The nightly's campaign lists: creates the blacklist and arrears views in the database being
 * published (so `recon query` reproduces every list) and writes 失信联合惩戒候选名单 and the
 * three arrears lists of this run to `<dir>/campaign/`.
 */
export async function writeCampaignLists(db: Db, ctx: DatedRunContext): Promise<{ blacklist: number; arrears: Record<string, number> }> {
  const options = { runId: ctx.runId, asOf: ctx.dates.asOf, logger: ctx.logger };
  await createBlacklistViews(db);
  await createArrearsViews(db);
  const dir = path.join(ctx.runDir, 'campaign');
  const blacklist = await writeBlacklist(db, { ...options, dir });
  const arrears = await writeArrearsLists(db, { ...options, dir });
  return { blacklist: blacklist.candidates, arrears: Object.fromEntries(arrears.map((a) => [a.cls, a.rows])) };
}
