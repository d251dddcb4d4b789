import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parse } from 'yaml';
import { fileURLToPath } from 'node:url';
import { KINDS, type Kind } from '../sources/index.ts';
import { ConfigError, errorMessage } from '../core/errors.ts';
import { checkDate, isCalendarDate } from '../core/clock.ts';

const isoDate = z.string().refine(isCalendarDate, 'a real calendar date as YYYY-MM-DD');

const DEFAULT_INCLUDE = ['**/*.csv', '**/*.txt', '**/*.tsv', '**/*.xlsx', '**/*.xls'];

/** The `rules:` section of a pipeline file. */
const rulesSchema = z
  .object({
    lag_days: z.number().int().min(0).max(120).default(15).describe('A month is closed (payments due) this many days after it ends.'),
    min_age_days: z
      .number()
      .int()
      .min(0)
      .default(30)
      .describe('Employers established fewer days than this before the as-of date are not findings (社会保险法: 30 days to register).'),
    retirement_age: z
      .object({
        male: z.number().int().min(40).max(80).default(60).describe('Men reach retirement age at this many whole years (RULES.md "Working age").'),
        female: z.number().int().min(40).max(80).default(55).describe('Women reach retirement age at this many whole years.'),
      })
      .strict()
      .default({ male: 60, female: 55 })
      .describe('Retirement ages of the person rules: working age is 16 <= age < this (the 2025 cohort schedule is not applied).'),
    daijiao_from_month: z
      .number()
      .int()
      .min(1)
      .max(12)
      .default(7)
      .describe("From this month of D's year on, 政府代缴 for D's year is due; before it the year before counts (assistance_not_covered)."),
    disabled: z.array(z.string()).default([]).describe('Rule ids not to run.'),
    params: z
      .record(z.string(), z.record(z.string(), z.number()))
      .default({})
      .describe('Per rule id, parameter overrides: { under_enrolled: { min_gap: 4 } }.'),
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

/** The linking thresholds (`parameters.link`). */
const linkSchema = z
  .object({
    auto_accept: z.number().min(0).max(1).default(0.94).describe('Similar names at or above this score (and with the same legal form) are linked.'),
    review_min: z.number().min(0).max(1).default(0.85).describe('Similar names from this score up to auto_accept go to the review list.'),
    margin: z.number().min(0).max(1).default(0.02).describe('The best candidate must beat the second by this much to be linked.'),
    conflict_below: z.number().min(0).max(1).default(0.6).describe('Below this similarity, two names under one USCC are reported as a conflict.'),
  })
  .strict()
  .refine((p) => p.review_min <= p.auto_accept, { message: 'review_min must not exceed auto_accept' });

/** The pipeline file (`pipelines/*.yaml`). Relative paths are relative to the file's folder. */
export const pipelineSchema = z
  .object({
    name: z.string().min(1).default('nightly').describe('A name for logs and the run record.'),
    inbox: z.string().min(1).describe('Folder the exports are delivered to (read, never written).'),
    database: z.string().min(1).describe('The published DuckDB database file.'),
    output: z.string().min(1).describe('Folder for run outputs: one sub-folder per run, and `latest`.'),
    work_dir: z.string().optional().describe('Scratch folder for transcoded copies and staging (default: `work` beside the database).'),
    as_of: isoDate.optional().describe('As-of date of every run of this file (default: the latest date every source has a snapshot for).'),
    local_params: z.string().default('local-params.yaml').describe('The local parameters file (wages, base floor/cap, rates).'),
    kinds: z
      .array(z.object({ glob: z.string().min(1), kind: z.enum(KINDS) }).strict())
      .default([])
      .describe('File name patterns that name the kind of an export, for files whose headers are ambiguous.'),
    ingest: z
      .object({
        include: z.array(z.string()).default(DEFAULT_INCLUDE).describe('Which inbox files to read.'),
        sheet: z.string().optional().describe('Sheet to read in workbooks (default: the first non-empty one).'),
        min_snapshot_ratio: z.number().min(0).max(1).default(0.5).describe('Refuse a snapshot with fewer rows than this share of the previous one.'),
      })
      .strict()
      .default({ include: DEFAULT_INCLUDE, min_snapshot_ratio: 0.5 }),
    office: z
      .object({
        name: z.string().default('社会保险经办机构').describe('The office that signs notices (告知书).'),
        address: z.string().default('').describe('Where employers register.'),
        phone: z.string().default('').describe('Contact phone on notices and SMS.'),
      })
      .strict()
      .default({ name: '社会保险经办机构', address: '', phone: '' })
      .describe('The social-insurance office, as printed on notices.'),
    audit: z
      .object({
        rejects_warn: z
          .number()
          .min(0)
          .max(1)
          .default(0.01)
          .describe('A file with more than this share of its rows rejected makes the run end with warnings (exit 3).'),
        rejects_fail: z.number().min(0).max(1).default(0.2).describe('A file with more than this share rejected fails the run: nothing is published (exit 1).'),
        max_employer_drop: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe('Fail when the number of employers falls by more than this share against the last published run.'),
        max_findings_rise: z
          .number()
          .min(0)
          .default(0.5)
          .describe(
            'Fail when a file was refused and the findings rise by more than this share (0.5: +50%) against the last published run: the refused file is probably missing data.',
          ),
      })
      .strict()
      .default({ rejects_warn: 0.01, rejects_fail: 0.2, max_employer_drop: 0.5, max_findings_rise: 0.5 })
      .describe('Checks a run must pass before it is published.'),
    duckdb: z
      .object({
        threads: z.number().int().min(1).optional(),
        memory_limit: z
          .string()
          .optional()
          .describe("e.g. 8GB; default: 3GB, or half the machine's memory when less. Past it DuckDB spills to temp_directory."),
        temp_directory: z.string().optional().describe('Where DuckDB spills when memory is short (default: <work_dir>/spill).'),
      })
      .strict()
      .default({}),
    rules: rulesSchema.default(rulesSchema.parse({})).describe('Which rules run, with which parameters; your own SQL rules.'),
    parameters: z
      .object({ link: linkSchema.default(linkSchema.parse({})).describe('Linking thresholds.') })
      .strict()
      .default({ link: linkSchema.parse({}) })
      .describe('Stage parameters, e.g. link: { auto_accept: 0.94 }.'),
  })
  .strict();

/** A custom SQL rule of a pipeline file, its file resolved. */
export interface CustomRuleConfig {
  id: string;
  title: string;
  description: string;
  /** Absolute path of the SQL file. */
  file: string;
  exemptWhenClosed: boolean;
}

/** The `rules:` section, normalised. */
export interface RulesConfig {
  lagDays: number;
  minAgeDays: number;
  /** Retirement ages (whole years) of the person rules' working age. */
  retirementAge: { male: number; female: number };
  /** The month of D's year from which that year's 政府代缴 counts (assistance_not_covered). */
  daijiaoFromMonth: number;
  disabled: string[];
  /** Per rule id, parameter overrides. */
  params: Record<string, Record<string, number>>;
  custom: CustomRuleConfig[];
}

/** The linking thresholds (docs/rules.md, "Linking"). */
export interface LinkParams {
  /** Similar names at or above this score (and with the same legal form) are linked. */
  autoAccept: number;
  /** Similar names from this score up to autoAccept go to the review list. */
  reviewMin: number;
  /** The best candidate must beat the second by this much to be linked. */
  margin: number;
  /** Below this similarity, two names under one USCC are reported as a conflict. */
  conflictBelow: number;
}

/** A pipeline file, checked, with every path resolved and one spelling of keys. */
export interface PipelineConfig {
  /** The pipeline file (absolute). */
  file: string;
  /** Its folder: relative paths in it are relative to this. */
  dir: string;
  name: string;
  inbox: string;
  database: string;
  output: string;
  workDir: string;
  localParams: string;
  /** As-of date fixed by the file or `--as-of`; otherwise the data's latest common snapshot date. */
  asOf: string | undefined;
  kinds: Array<{ glob: string; kind: Kind }>;
  ingest: { include: string[]; sheet: string | undefined; minSnapshotRatio: number };
  office: { name: string; address: string; phone: string };
  audit: { rejectsWarn: number; rejectsFail: number; maxEmployerDrop: number; maxFindingsRise: number };
  /** DuckDB settings of every connection a run opens: threads, memory_limit, temp_directory. */
  duckdb: Record<string, string>;
  rules: RulesConfig;
  link: LinkParams;
}

/** Flags that override the pipeline file. */
export interface PipelineOverrides {
  inbox?: string;
  database?: string;
  output?: string;
  asOf?: string;
}

/**
 * DuckDB's memory limit when the pipeline sets none: 3 GB, or half the machine's memory when
 * that is less. Past the limit DuckDB spills to temp_directory instead of failing. Measured
 * on the 24 GiB reference machine, a city-size nightly took 87 s and 3.9 GiB at 3 GB against
 * 90-96 s and 6.8 GB at 12 GB (a larger buffer pool bought nothing but page faults), and a
 * 3M-employer run completed at 3 GB; DuckDB's own default (80%) would leave too little for
 * Node (exceljs, the reports), the page cache and whatever else the server runs. A province
 * sets more in the pipeline file (docs/scaling.md).
 */
export function defaultMemoryLimit(totalBytes = os.totalmem()): string {
  return `${Math.max(1, Math.min(3, Math.floor((totalBytes / 2 ** 30) * 0.5)))}GB`;
}

/** Reads and checks a pipeline file; every problem is reported with its field, at once. */
export function loadPipeline(file: string, overrides: PipelineOverrides = {}): PipelineConfig {
  if (overrides.asOf !== undefined) checkDate('--as-of', overrides.asOf);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read pipeline file "${file}": ${errorMessage(error)}`, { file });
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(`Pipeline file "${file}" is not valid YAML: ${errorMessage(error)}`, { file });
  }
  const parsed = pipelineSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new ConfigError(`Pipeline file "${file}" has ${problems.length} problem(s):\n${problems.join('\n')}`, { file });
  }
  const p = parsed.data;
  const dir = path.dirname(path.resolve(file));
  const resolve = (rel: string): string => path.resolve(dir, rel);
  const database = overrides.database ? path.resolve(overrides.database) : resolve(p.database);
  const workDir = p.work_dir ? resolve(p.work_dir) : path.join(path.dirname(database), 'work');
  const duckdb: Record<string, string> = {};
  if (p.duckdb.threads) duckdb['threads'] = String(p.duckdb.threads);
  duckdb['memory_limit'] = p.duckdb.memory_limit ?? defaultMemoryLimit();
  duckdb['temp_directory'] = p.duckdb.temp_directory ? resolve(p.duckdb.temp_directory) : path.join(workDir, 'spill');
  const link = p.parameters.link;
  const config: PipelineConfig = {
    file: path.resolve(file),
    dir,
    name: p.name,
    inbox: overrides.inbox ? path.resolve(overrides.inbox) : resolve(p.inbox),
    database,
    output: overrides.output ? path.resolve(overrides.output) : resolve(p.output),
    workDir,
    localParams: resolve(p.local_params),
    asOf: overrides.asOf ?? p.as_of,
    kinds: p.kinds,
    ingest: { include: p.ingest.include, sheet: p.ingest.sheet, minSnapshotRatio: p.ingest.min_snapshot_ratio },
    office: p.office,
    audit: {
      rejectsWarn: p.audit.rejects_warn,
      rejectsFail: p.audit.rejects_fail,
      maxEmployerDrop: p.audit.max_employer_drop,
      maxFindingsRise: p.audit.max_findings_rise,
    },
    duckdb,
    rules: {
      lagDays: p.rules.lag_days,
      minAgeDays: p.rules.min_age_days,
      retirementAge: { male: p.rules.retirement_age.male, female: p.rules.retirement_age.female },
      daijiaoFromMonth: p.rules.daijiao_from_month,
      disabled: p.rules.disabled,
      params: p.rules.params,
      custom: p.rules.custom.map((c) => ({
        id: c.id,
        title: c.title,
        description: c.description,
        file: resolve(c.file),
        exemptWhenClosed: c.exempt_when_closed,
      })),
    },
    link: { autoAccept: link.auto_accept, reviewMin: link.review_min, margin: link.margin, conflictBelow: link.conflict_below },
  };
  checkLayout(config);
  return config;
}

/** A path with symbolic links resolved as far as it exists (the rest appended as written). */
function realish(p: string): string {
  const rest: string[] = [];
  let at = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest.reverse());
    } catch {
      const up = path.dirname(at);
      if (up === at) return path.resolve(p);
      rest.push(path.basename(at));
      at = up;
    }
  }
}

/** True when `child` is `parent` or inside it (symbolic links resolved). */
function within(child: string, parent: string): boolean {
  const rel = path.relative(realish(parent), realish(child));
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * Nothing recon writes may lie inside the inbox: every run reads the inbox, so reports, the
 * database, scratch or spill files there would be read back as deliveries every night.
 */
export function checkLayout(p: Pick<PipelineConfig, 'file' | 'inbox' | 'output' | 'database' | 'workDir' | 'duckdb'>): void {
  const written: Array<[string, string, string]> = [
    ['output folder', p.output, '"output" (or --out)'],
    ['database', p.database, '"database" (or --db)'],
    ['work folder', p.workDir, '"work_dir" (default: work beside the database)'],
  ];
  const spill = p.duckdb['temp_directory'];
  if (spill) written.push(['DuckDB spill folder', spill, 'duckdb.temp_directory']);
  const inside = written.filter(([, where]) => within(where, p.inbox));
  if (inside.length === 0) return;
  const list = inside.map(([what, where, key]) => `the ${what} "${where}" (${key})`).join(', ');
  throw new ConfigError(
    `Pipeline file "${p.file}": ${list} ${inside.length === 1 ? 'is' : 'are'} inside the inbox "${p.inbox}", which every run reads: recon would read its own files back as deliveries. Move ${inside.length === 1 ? 'it' : 'them'} out of the inbox, or the inbox elsewhere ("inbox" or --inbox).`,
    { file: p.file },
  );
}

/** The JSON Schema of the pipeline file, for editors. */
export function pipelineJsonSchema(): unknown {
  return z.toJSONSchema(pipelineSchema, { io: 'input' });
}

/** The rules section's defaults, for code paths without a pipeline file (tests, tools). */
export const DEFAULT_RULES_CONFIG: RulesConfig = {
  lagDays: 15,
  minAgeDays: 30,
  retirementAge: { male: 60, female: 55 },
  daijiaoFromMonth: 7,
  disabled: [],
  params: {},
  custom: [],
};

/** The linking defaults. */
export const DEFAULT_LINK_PARAMS: LinkParams = { autoAccept: 0.94, reviewMin: 0.85, margin: 0.02, conflictBelow: 0.6 };

/**
 * A pipeline with every default of a pipeline file, for code paths without one (the tools and
 * the tests): the folders given, the bundled local parameters unless named.
 */
export function defaultPipeline(folders: { inbox: string; database: string; output: string; workDir?: string; localParams?: string }): PipelineConfig {
  const parsed = pipelineSchema.parse({ inbox: folders.inbox, database: folders.database, output: folders.output });
  const link = parsed.parameters.link;
  const workDir = folders.workDir ?? path.join(path.dirname(folders.database), 'work');
  return {
    file: path.resolve(fileURLToPath(new URL('../../pipelines/nightly.yaml', import.meta.url))),
    dir: path.resolve(fileURLToPath(new URL('../../pipelines/', import.meta.url))),
    name: parsed.name,
    inbox: path.resolve(folders.inbox),
    database: path.resolve(folders.database),
    output: path.resolve(folders.output),
    workDir,
    localParams: folders.localParams ?? fileURLToPath(new URL('../../pipelines/local-params.yaml', import.meta.url)),
    asOf: undefined,
    kinds: [],
    ingest: { include: parsed.ingest.include, sheet: undefined, minSnapshotRatio: parsed.ingest.min_snapshot_ratio },
    office: parsed.office,
    audit: {
      rejectsWarn: parsed.audit.rejects_warn,
      rejectsFail: parsed.audit.rejects_fail,
      maxEmployerDrop: parsed.audit.max_employer_drop,
      maxFindingsRise: parsed.audit.max_findings_rise,
    },
    duckdb: { memory_limit: defaultMemoryLimit(), temp_directory: path.join(workDir, 'spill') },
    rules: { ...DEFAULT_RULES_CONFIG },
    link: { autoAccept: link.auto_accept, reviewMin: link.review_min, margin: link.margin, conflictBelow: link.conflict_below },
  };
}
