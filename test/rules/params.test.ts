import { describe, it, expect, beforeAll } from 'vitest';
import { withDb, testContext } from '../helpers.ts';
import { runScenarios, monthsUpTo, type Scenario, type ScenarioRun } from './builder.ts';
import { resolveRules, runRules } from '../../src/rules/runner.ts';
import { DEFAULT_RULES_CONFIG, type RulesConfig } from '../../src/config/pipeline-file.ts';
import { RuleError } from '../../src/core/errors.ts';

const withholding = (headcount: number): Scenario['withholding'] => monthsUpTo('2026-09', 3).map((period) => ({ period, headcount }));
const enrolled = (insured: number): Scenario['enrollment'] => [{ type: '110', status: '1', insured }];

describe('a pipeline override of a rule parameter', () => {
  let run: ScenarioRun;
  beforeAll(async () => {
    run = await runScenarios(
      [
        { id: 'gap-3', withholding: withholding(20), enrollment: enrolled(17) },
        { id: 'gap-4', withholding: withholding(20), enrollment: enrolled(16) },
      ],
      { rules: { params: { under_enrolled: { min_gap: 4 } } } },
    );
  });

  it('rules.params.under_enrolled.min_gap = 4 moves the boundary from 3 to 4', () => {
    // With the default 3, gap-3 is found (test/rules/headcount.test.ts: a20-gap3).
    expect(run.found('under_enrolled')).toEqual(['gap-4']);
  });

  it('is recorded with the run, next to the defaults of the other parameters', () => {
    expect(run.summary.rules.find((r) => r.id === 'under_enrolled')?.params).toEqual({ min_gap: 4, min_share: 0.1, months: 3 });
    expect(run.summary.month).toBe('2026-09-01');
  });
});

describe('wrong rule parameters', () => {
  const config: RulesConfig = {
    ...DEFAULT_RULES_CONFIG,
    params: {
      no_such_rule: { min_gap: 1 },
      under_enrolled: { no_such_param: 1, min_share: 1.5 },
    },
  };

  it('are all reported together in one RuleError: unknown rule, unknown parameter, out-of-range value', () => {
    let error: unknown;
    try {
      resolveRules(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuleError);
    const message = (error as RuleError).message;
    expect(message).toContain('3 problem(s)');
    expect(message).toContain('rules.params.no_such_rule: no such rule');
    expect(message).toContain('rules.params.under_enrolled.no_such_param: no such parameter (min_gap, min_share, months)');
    expect(message).toContain('rules.params.under_enrolled.min_share: must be at most 1, got 1.5');
    expect((error as RuleError).details['problems']).toHaveLength(3);
  });

  it('name a parameter that moved to the rules section', () => {
    expect(() => resolveRules({ ...DEFAULT_RULES_CONFIG, params: { uninsured: { min_age_days: 20 } } })).toThrow(
      'rules.params.uninsured.min_age_days: moved to rules.min_age_days',
    );
  });

  it('stop the rules stage before it touches the database', async () => {
    await withDb(async (db) => {
      await expect(runRules(db, testContext({ runId: 'run-1', pipeline: { rules: config } }))).rejects.toThrow(RuleError);
      expect(await db.all(`SELECT count(*) AS n FROM employer_facts`)).toEqual([{ n: 0n }]);
      expect(await db.all(`SELECT count(*) AS n FROM rule_runs`)).toEqual([{ n: 0n }]);
    });
  });

  it.each([
    [{ under_enrolled: { min_gap: -1 } }, 'rules.params.under_enrolled.min_gap: must be at least 0, got -1'],
    [{ under_enrolled: { months: 2.5 } }, 'rules.params.under_enrolled.months: must be a whole number, got 2.5'],
    [{ selective_enrollment: { x: 1 } }, 'rules.params.selective_enrollment.x: no such parameter (the rule has none)'],
  ])('%j -> %s', (params, message) => {
    expect(() => resolveRules({ ...DEFAULT_RULES_CONFIG, params })).toThrow(message);
  });
});
