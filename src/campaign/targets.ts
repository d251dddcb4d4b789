import type { Db } from '../db/database.ts';
import { sqlFile } from '../db/sql-file.ts';
import type { Logger } from '../core/log.ts';

/**
 * Targets (目标任务) and their completion per district: the SQL of the campaign views and the
 * per-run history table `district_progress`. Every number of the 目标完成情况 sheet and of the
 * monthly bulletin is a row of these views, so `recon query` reproduces it (docs/campaign.md).
 *
 * Definitions (per district, for a run with as-of date D, target year Y = year(D)):
 * - insured units (参保单位数): employers active and enrolled in pension (110), as 汇总 counts them
 *   (`ledger_employer.enrolled`);
 * - insured persons (参保人数): the pension insured count of those employers in the closed month M
 *   (`employer_facts.insured_110`: paid count, else the enrollment's count);
 * - coverage rate (参保率): insured units / employers that should be insured (`ledger_employer.should_enroll`),
 *   the 汇总 参保率;
 * - collected (征缴金额): contributions paid (all types) for the months of Y up to D (`employer_payments`);
 * - completion of a target: actual / target; a target that is blank or 0 is not given;
 * - overall completion (综合完成率): the mean of the completions of the targets given;
 * - rank (排名): by overall completion, highest first, equal completions share a rank (RANK());
 *   districts without any target are not ranked;
 * - change since last month: against the last run (by as-of date, then run id) whose as-of date
 *   falls in the month before D's month;
 * - the city (全市合计, district_code NULL): every district's actuals against the sum of the
 *   districts' targets; its coverage target is the districts' targets weighted by their
 *   should-be-insured employers.
 */

const CAMPAIGN_VIEWS_SQL = sqlFile(new URL('./targets.sql', import.meta.url));

/** Creates the campaign views (after the ledger views, which they read). */
export async function createCampaignViews(db: Db): Promise<void> {
  await db.run(CAMPAIGN_VIEWS_SQL, undefined, { step: 'campaign.views' });
}

/**
 * Records the selected run's progress (campaign_progress_now) in district_progress, replacing
 * what the run recorded before: the history the 目标完成情况 sheet and the bulletin compare with.
 * Returns the districts recorded (without the city row) and the targets rows whose 区县 was not recognised.
 */
export async function recordDistrictProgress(db: Db, runId: string, logger?: Logger): Promise<{ districts: number; unresolved: string[] }> {
  // Only the run whose facts the database holds can be measured; an older run keeps its record.
  const sel = await db.one<{ run_id: string; facts_current: boolean }>(`SELECT run_id, facts_current FROM ledger_selected`, undefined, {
    step: 'campaign.progress',
  });
  if (!sel || sel.run_id !== runId || !sel.facts_current) return { districts: 0, unresolved: [] };
  await db.run(`DELETE FROM district_progress WHERE run_id = $1`, [runId], { step: 'campaign.progress' });
  await db.run(`INSERT INTO district_progress BY NAME SELECT *, current_timestamp AS recorded_at FROM campaign_progress_now WHERE run_id = $1`, [runId], {
    step: 'campaign.progress',
  });
  const n = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM district_progress WHERE run_id = $1 AND district_code IS NOT NULL`, [runId], {
    step: 'campaign.progress',
  });
  const unresolved = (
    await db.all<{ district_text: string }>(`SELECT district_text FROM campaign_targets WHERE district_code IS NULL ORDER BY district_text`, undefined, {
      step: 'campaign.progress',
    })
  ).map((r) => r.district_text);
  if (unresolved.length)
    logger?.warn(
      { unresolved },
      `targets: ${unresolved.length} 区县 not recognised (neither a division code nor a district of the city): ${unresolved.join(', ')}`,
    );
  return { districts: Number(n?.n ?? 0), unresolved };
}
