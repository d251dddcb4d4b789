import { z } from 'zod';

/** The `rules:` section of a pipeline file. */
export const rulesConfigSchema = z
  .object({
    lag_days: z.number().int().min(0).max(120).default(15).describe('A month is closed (payments due) this many days after it ends.'),
    min_age_days: z.number().int().min(0).default(30).describe('Employers established fewer days than this before the as-of date are not findings.'),
    disabled: z.array(z.string()).default([]).describe('Rule ids not to run.'),
    params: z.record(z.string(), z.record(z.string(), z.number())).default({}).describe('Per rule id, parameter overrides: { under_enrolled: { min_gap: 4 } }.'),
    custom: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _'),
            title: z.string().min(1).describe('Chinese title shown in worklists'),
            description: z.string().default(''),
            file: z.string().min(1).describe('SQL file (relative to the pipeline file) returning employer_id, severity, amount, evidence, evidence_text'),
            exempt_when_closed: z.boolean().default(true),
          })
          .strict(),
      )
      .default([])
      .describe('Rules of your own, as SQL files under pipelines/.'),
  })
  .strict();

export type RulesConfig = z.infer<typeof rulesConfigSchema>;

/** The defaults, for code paths without a pipeline file. */
export const DEFAULT_RULES_CONFIG: RulesConfig = rulesConfigSchema.parse({});
