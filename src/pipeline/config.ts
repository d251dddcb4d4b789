import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parse } from 'yaml';
import { KINDS } from '../sources/index.ts';
import { ConfigError, errorMessage } from '../core/errors.ts';
import { rulesConfigSchema } from '../rules/config.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** The pipeline file (`pipelines/*.yaml`). Relative paths are relative to the file's folder. */
export const pipelineSchema = z
  .object({
    name: z.string().min(1).default('nightly').describe('A name for logs and the run record.'),
    inbox: z.string().min(1).describe('Folder the exports are delivered to (read, never written).'),
    database: z.string().min(1).describe('The published DuckDB database file.'),
    output: z.string().min(1).describe('Folder for run outputs: one sub-folder per run, and `latest`.'),
    work_dir: z.string().optional().describe('Scratch folder for transcoded copies and staging (default: beside the database).'),
    as_of: isoDate.optional().describe('As-of date of the run (default: today).'),
    local_params: z.string().default('local-params.yaml').describe('The local parameters file (wages, base floor/cap, rates).'),
    kinds: z
      .array(z.object({ glob: z.string().min(1), kind: z.enum(KINDS) }).strict())
      .default([])
      .describe('File name patterns that name the kind of an export, for files whose headers are ambiguous.'),
    ingest: z
      .object({
        include: z.array(z.string()).default(['**/*.csv', '**/*.txt', '**/*.tsv', '**/*.xlsx', '**/*.xls']).describe('Which inbox files to read.'),
        sheet: z.string().optional().describe('Sheet to read in workbooks (default: the first non-empty one).'),
        min_snapshot_ratio: z.number().min(0).max(1).default(0.5).describe('Refuse a snapshot with fewer rows than this share of the previous one.'),
      })
      .strict()
      .default({ include: ['**/*.csv', '**/*.txt', '**/*.tsv', '**/*.xlsx', '**/*.xls'], min_snapshot_ratio: 0.5 }),
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
        rejects_warn: z.number().min(0).max(1).default(0.01).describe('A file with more than this share of its rows rejected makes the run end with warnings (exit 3).'),
        rejects_fail: z.number().min(0).max(1).default(0.2).describe('A file with more than this share rejected fails the run: nothing is published (exit 1).'),
        max_employer_drop: z.number().min(0).max(1).default(0.5).describe('Fail when the number of employers falls by more than this share against the last published run.'),
      })
      .strict()
      .default({ rejects_warn: 0.01, rejects_fail: 0.2, max_employer_drop: 0.5 })
      .describe('Checks a run must pass before it is published.'),
    duckdb: z
      .object({
        threads: z.number().int().min(1).optional(),
        memory_limit: z.string().optional().describe('e.g. 8GB; default: 3GB, or half the machine\'s memory when less. Past it DuckDB spills to temp_directory.'),
        temp_directory: z.string().optional().describe('Where DuckDB spills when memory is short (default: <work_dir>/spill).'),
      })
      .strict()
      .default({}),
    rules: rulesConfigSchema.default(rulesConfigSchema.parse({})).describe('Which rules run, with which parameters; your own SQL rules.'),
    parameters: z.record(z.string(), z.unknown()).default({}).describe('Stage parameters, e.g. link: { auto_accept: 0.94 }.'),
  })
  .strict();

export type PipelineFile = z.infer<typeof pipelineSchema>;

/** A pipeline with every path resolved. */
export interface Pipeline extends PipelineFile {
  file: string;
  inbox: string;
  database: string;
  output: string;
  workDir: string;
  localParams: string;
}

/** Flags that override the pipeline file. */
export interface PipelineOverrides {
  inbox?: string;
  database?: string;
  output?: string;
  asOf?: string;
}

/** Reads and checks a pipeline file; every problem is reported with its field, at once. */
export function loadPipeline(file: string, overrides: PipelineOverrides = {}): Pipeline {
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
  if (overrides.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(overrides.asOf)) {
    throw new ConfigError(`--as-of must be a date as YYYY-MM-DD, got "${overrides.asOf}"`);
  }
  const base = path.dirname(path.resolve(file));
  const resolve = (p: string): string => path.resolve(base, p);
  const cwd = (p: string): string => path.resolve(p);
  const p = parsed.data;
  const database = overrides.database ? cwd(overrides.database) : resolve(p.database);
  return {
    ...p,
    file: path.resolve(file),
    inbox: overrides.inbox ? cwd(overrides.inbox) : resolve(p.inbox),
    database,
    output: overrides.output ? cwd(overrides.output) : resolve(p.output),
    workDir: p.work_dir ? resolve(p.work_dir) : path.join(path.dirname(database), 'work'),
    localParams: resolve(p.local_params),
    ...(overrides.asOf ? { as_of: overrides.asOf } : {}),
  };
}

/** The JSON Schema of the pipeline file, for editors. */
export function pipelineJsonSchema(): unknown {
  return z.toJSONSchema(pipelineSchema, { io: 'input' });
}
