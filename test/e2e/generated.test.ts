import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateInbox } from '../../tools/generator/generate.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { silentLogger } from '../../src/core/log.ts';
import { RULE_IDS, actualRejects, belowFloor, evaluateRun, expectedRejects, workdir } from './support.ts';

// A second size and seed than the committed fixture, so that the rules and the linking are not
// tuned to one draw: other names, other code spellings, other planted rows.
describe('recon run over a generated inbox (1500 employers, seed 7, mixed formats)', () => {
  it('finds every rule at precision and recall >= 0.99, links by code >= 0.995 and by name >= 0.98', async () => {
    const work = workdir();
    const truth = path.join(work.dir, 'truth');
    const generated = await generateInbox({ employers: 1500, seed: 7, out: work.inbox, truth, formats: 'mixed', asOf: '2026-10-31' });
    // The generator checks its truth against each scenario's expected rules.
    expect(generated.mismatches).toEqual([]);
    expect(generated.files.length).toBeGreaterThanOrEqual(8);

    const result = await runPipeline(loadPipeline(work.pipelineFile), { logger: silentLogger() });
    expect(result.status).toBe('succeeded');
    expect(result.asOf).toBe('2026-10-31');
    expect(result.ingest?.loaded).toBe(generated.files.length);
    expect(await actualRejects(work.database)).toEqual(expectedRejects(truth));

    const { evaluation, problems } = await evaluateRun(work.database, truth, result.runId);
    // On failure this lists each (employer, rule) the run and the truth disagree on, with our
    // employer id for `recon employer <id>` and the generator's scenario.
    expect(problems).toEqual([]);
    expect(belowFloor({ 'links by code': evaluation.links.code }, 0.995)).toEqual([]);
    expect(belowFloor({ 'links by name only': evaluation.links.name }, 0.98)).toEqual([]);
    expect(belowFloor(Object.fromEntries(RULE_IDS.map((id) => [id, evaluation.rules[id]])), 0.99)).toEqual([]);
    // Every rule is exercised, and the counts are the generator's.
    for (const id of RULE_IDS) expect(evaluation.rules[id]?.truePositives, id).toBe(generated.findings[id]);
    expect(RULE_IDS.filter((id) => generated.findings[id] === 0)).toEqual([]);
  });
});
