/**
 * `recon generate`: writes a deterministic inbox of agency exports for one city and, next to
 * it, the ground truth (employers, links, findings, expected rejects). Employers are built
 * one at a time and streamed to open files, so memory stays flat with the employer count.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLocalParams } from '../../src/reference/params.ts';
import { cleanCode } from '../../src/link/codes.ts';
import { loadCity } from './city.ts';
import { closedMonth, dayOf, isoOf, monthIso, monthOfDay } from './dates.ts';
import type { Cell, Value } from './dirty.ts';
import type { GenContext } from './factory.ts';
import { EmployerFactory } from './factory.ts';
import type { PlannedFile } from './inbox.ts';
import { badRowPlan, formatRecord, planInbox, recordsFor } from './inbox.ts';
import type { Employer } from './model.ts';
import { Rng } from './random.ts';
import { BACKGROUND, SCENARIOS, buildBackground, expectedRules } from './scenarios.ts';
import type { Scenario } from './scenarios.ts';
import { RULE_IDS, evaluateEmployer, mandatoryTypes } from './truth.ts';
import type { RuleId, TruthContext } from './truth.ts';
import { writeTruthReadme } from './readme.ts';
import type { GenerateOptions, GenerateSummary } from './options.ts';

export type { GenerateOptions, GenerateSummary } from './options.ts';
import type { TableWriter } from './writers.ts';
import { DelimitedWriter, openWriter } from './writers.ts';
import { TargetsTally } from './targets.ts';
import { CONTRACTS } from '../../src/sources/index.ts';
import { PERSON_KINDS, PersonFiles, planPersonFiles } from './person-files.ts';
import { PersonBuilder } from './persons.ts';
import { personParams } from './person-truth.ts';
import type { PersonTruthContext } from './person-truth.ts';
import { ProjectBuilder } from './projects.ts';
import { LinkCaseBuilder } from './link-cases.ts';

/**
 * Whether people are written when the options do not say. TRANSITION: true once recon reads the
 * four person kinds (their contracts are in src/sources), false before, so that the tests and the
 * bench that run today's pipeline over a generated inbox get no files it cannot read. When the
 * person ingest has landed, replace this with `true` (and keep `--no-persons` for the bench).
 */
export function personsByDefault(): boolean {
  return PERSON_KINDS.every((kind) => kind in CONTRACTS);
}

/** Options of a generator run. */

const DEFAULT_PARAMS = fileURLToPath(new URL('../../pipelines/local-params.yaml', import.meta.url));

/** Generates the inbox and its truth. */
export async function generateInbox(options: GenerateOptions): Promise<GenerateSummary> {
  if (!Number.isInteger(options.employers) || options.employers < 1) throw new Error(`--employers must be a positive integer (got ${options.employers})`);
  if (!Number.isInteger(options.seed)) throw new Error(`--seed must be an integer (got ${options.seed})`);
  const out = resolve(options.out);
  const truthDir = resolve(options.truth ?? join(out, '..', 'truth'));
  const asOf = dayOf(options.asOf ?? '2026-10-31');
  const formats = options.formats ?? (options.employers > 20_000 ? 'csv' : 'mixed');
  const paramsFile = options.params ?? DEFAULT_PARAMS;
  const params = loadLocalParams(paramsFile);
  const city = loadCity(options.city ?? '3205');
  const lastMonth = monthOfDay(asOf) - 1;
  const ctx: GenContext = {
    city,
    asOf,
    M: closedMonth(asOf, 15),
    firstMonth: lastMonth - 11,
    lastMonth,
    params,
    mandatory: mandatoryTypes(params, asOf),
  };
  const truthCtx: TruthContext = { asOf, closedMonth: ctx.M, params, mandatory: ctx.mandatory };
  mkdirSync(out, { recursive: true });
  mkdirSync(truthDir, { recursive: true });

  const factory = new EmployerFactory(ctx);
  const plan = planInbox(options.seed, asOf, ctx.firstMonth, ctx.lastMonth, city.name, formats);
  const outputs = plan.map((file) => new FileOutput(file, join(out, file.name), asOf, formats === 'mixed'));
  if (formats === 'mixed') {
    // Bad rows belong to ghost employers that exist nowhere else, so rejecting them loses nothing.
    const ghostRng = new Rng(options.seed, 'ghosts');
    for (const output of outputs) output.planBadRows(factory, ghostRng);
  }

  const truthFiles = {
    employers: new DelimitedWriter(join(truthDir, 'employers.csv'), 'utf8', ','),
    links: new DelimitedWriter(join(truthDir, 'links.csv'), 'utf8', ','),
    findings: new DelimitedWriter(join(truthDir, 'findings.csv'), 'utf8', ','),
  };
  truthFiles.employers.write([
    'employer_key',
    'uscc',
    'name',
    'kind',
    'district_code',
    'street',
    'scenario',
    'registry_status',
    'established_on',
    'hard_cases',
  ]);
  truthFiles.links.write(['kind', 'file', 'key', 'key_clean', 'name', 'employer_key', 'hard_cases']);
  truthFiles.findings.write(['employer_key', 'rule_id', 'severity', 'detail']);

  const summary: GenerateSummary = {
    out,
    truth: truthDir,
    asOf: isoOf(asOf),
    closedMonth: monthIso(ctx.M),
    formats,
    mandatoryTypes: [...ctx.mandatory],
    employers: 0,
    files: [],
    findings: Object.fromEntries(RULE_IDS.map((r) => [r, 0])) as Record<RuleId, number>,
    scenarios: {},
    rejects: 0,
    mismatches: [],
  };

  const targets = options.targets ? new TargetsTally(city, asOf, ctx.lastMonth) : undefined;

  // People: their own files, truth and random streams (nothing above changes with or without them).
  const personPlan = planPersonFiles(options.seed, asOf, city.name, formats);
  const personTruthNames = ['person_findings.csv', 'person_cases.csv'];
  let people: { builder: PersonBuilder; files: PersonFiles; truth: DelimitedWriter[] } | undefined;
  if (options.persons ?? personsByDefault()) {
    const truthCtx: PersonTruthContext = { asOf, closedMonth: ctx.M, params, person: personParams(paramsFile, asOf) };
    const files = new PersonFiles(out, personPlan, asOf);
    const truth = personTruthNames.map((name) => new DelimitedWriter(join(truthDir, name), 'utf8', ','));
    people = { builder: new PersonBuilder(options.seed, ctx, truthCtx, files, truth[0] as DelimitedWriter, truth[1] as DelimitedWriter), files, truth };
  } else {
    // A run without people leaves no person files of an earlier run behind to be read with this truth.
    for (const f of personPlan) rmSync(join(out, f.name), { force: true });
    for (const name of personTruthNames) rmSync(join(truthDir, name), { force: true });
  }
  // Projects: their own files, truth and random streams, like the people.
  const projectTruthNames = ['project_findings.csv', 'project_cases.csv', 'project_ledger.csv'];
  const projects = options.projects ? new ProjectBuilder(options.seed, asOf, params) : undefined;
  if (!projects) {
    for (const name of ProjectBuilder.fileNames(asOf)) rmSync(join(out, name), { force: true });
    for (const name of projectTruthNames) rmSync(join(truthDir, name), { force: true });
  }
  const slots = fixedSlots(options.employers);
  const weighted = SCENARIOS.flatMap((s) => Array.from({ length: s.n }, () => s));
  let counter = 0;
  const nextKey = (): string => `E${String(++counter).padStart(7, '0')}`;
  // Linking cases (issue 19): their own random streams, written after every other employer.
  const linkCases = new LinkCaseBuilder(options.seed, factory);
  /** Writes one employer everywhere; `index` is its slot, null for a planted linking case. */
  const emit = (e: Employer, index: number | null): void => {
    summary.employers++;
    targets?.add(e);
    summary.scenarios[e.scenario] = (summary.scenarios[e.scenario] ?? 0) + 1;
    const findings = evaluateEmployer(e, truthCtx);
    const got = findings.map((f) => f.rule).sort();
    const want = [...(expectedRules(e.scenario) ?? [])].sort();
    if (got.join(',') !== want.join(',')) summary.mismatches.push(`${e.key} ${e.scenario}: expected [${want.join(',')}] got [${got.join(',')}]`);
    for (const f of [...findings].sort((a, b) => a.rule.localeCompare(b.rule))) {
      summary.findings[f.rule]++;
      truthFiles.findings.write([e.key, f.rule, f.severity, f.detail]);
    }
    truthFiles.employers.write([
      e.key,
      e.uscc,
      e.name,
      e.kind,
      e.districtCode,
      e.street,
      e.scenario,
      e.unregistered ? '' : e.registry.statusText,
      isoOf(e.established),
      e.hard.join(';'),
    ]);
    for (const output of outputs) {
      for (const link of output.writeEmployer(e))
        truthFiles.links.write([output.file.kind, output.file.name, link.key, cleanCode(link.key), link.name, e.key, e.hard.join(';')]);
    }
    // A planted linking case has its own people but hosts no planted person and builds no project.
    people?.builder.addEmployer(e, index ?? -1, index !== null);
    if (index !== null) projects?.addEmployer(e, index);
  };
  // Backpressure: wait only when some stream asked us to.
  const drain = async (): Promise<void> => {
    for (const output of outputs) await output.writer.drain();
    for (const w of Object.values(truthFiles)) await w.drain();
    if (people !== undefined) {
      await people.files.drain();
      for (const w of people.truth) await w.drain();
    }
  };
  for (let i = 0; i < options.employers; i++) {
    const rng = new Rng(options.seed, `employer:${i}`);
    const fixed = slots.get(i);
    let built: Employer[];
    if (fixed !== undefined) built = fixed.build(factory, rng, nextKey);
    // A few scenario employers among the background keep every rule present at any size.
    else if (rng.chance(0.03)) built = rng.pick(weighted).build(factory, rng, nextKey);
    else built = [buildBackground(factory, rng, nextKey())];
    for (const e of built) {
      linkCases.decorate(e);
      emit(e, i);
    }
    await drain();
  }
  // The planted linking cases come last, so the rows of the other employers stay where they were.
  for (const built of linkCases.rounds(options.employers, nextKey)) {
    for (const e of built) emit(e, null);
    await drain();
  }
  summary.linkCases = { ...linkCases.counts, background_former_names: linkCases.backgroundFormer };
  await writeLinkTruth(truthDir, linkCases);

  const rejects = new DelimitedWriter(join(truthDir, 'expected_rejects.csv'), 'utf8', ',');
  rejects.write(['file', 'line', 'reason']);
  for (const output of outputs) {
    await output.close();
    summary.files.push({ file: output.file.name, kind: output.file.kind, rows: output.dataRows });
    for (const r of output.rejects) {
      rejects.write([output.file.name, String(r.line), r.reason]);
      summary.rejects++;
    }
  }
  await rejects.close();
  // Person files before the targets file, so the file list with --targets is the list without it plus one.
  if (people !== undefined) {
    people.builder.finishRun();
    summary.files.push(...(await people.files.close()));
    for (const w of people.truth) await w.close();
    summary.persons = people.builder.summary;
    summary.mismatches.push(...people.builder.summary.mismatches.map((m) => `person ${m}`));
  }
  if (projects !== undefined) {
    summary.files.push(...(await projects.write(out, truthDir)));
    summary.projects = projects.summary;
  }
  if (targets) {
    const written = await targets.write(out, options.seed);
    summary.files.push({ file: written.file, kind: 'targets', rows: written.rows });
  }
  for (const w of Object.values(truthFiles)) await w.close();
  writeTruthReadme(join(truthDir, 'README.md'), summary, options, BACKGROUND);
  return summary;
}

/** Where the fixed scenarios go: spread evenly over the N slots (a subset when N is smaller). */
function fixedSlots(n: number): Map<number, Scenario> {
  // Round-robin over scenarios so a small N still gets one of each before repeats.
  const order: Scenario[] = [];
  const maxN = Math.max(...SCENARIOS.map((s) => s.n));
  for (let round = 0; round < maxN; round++) for (const s of SCENARIOS) if (s.n > round) order.push(s);
  const fixed = order.slice(0, n);
  const slots = new Map<number, Scenario>();
  for (const [j, s] of fixed.entries()) slots.set(Math.floor((j * n) / fixed.length), s);
  return slots;
}

/** One open inbox file: writes headers, rows, planted bad rows, and remembers their lines. */
class FileOutput {
  readonly writer: TableWriter;
  dataRows = 0;
  readonly rejects: { line: number; reason: string }[] = [];
  private bad: { at: number; cells: Cell[]; reason: string }[] = [];

  constructor(
    readonly file: PlannedFile,
    path: string,
    asOf: number,
    private readonly mixed: boolean,
  ) {
    this.writer = openWriter(path, file.format, file.encoding, file.delimiter, sheetName(file), asOf);
    for (const title of file.titles) this.writer.write([title]);
    this.writer.write(file.columns.map((c) => c.header));
  }

  /** Builds the bad rows of this file from ghost employers and decides where they go. */
  planBadRows(factory: EmployerFactory, rng: Rng): void {
    badRowPlan(this.file.kind).forEach((plan, i) => {
      const ghost = factory.create(rng, `GHOST${i}`, 'ghost', this.file.ghostKind);
      factory.standard(ghost, rng, 3);
      const record = recordsFor({ ...this.file, months: undefined, staleMonth: undefined }, ghost)[0];
      if (record === undefined) throw new Error(`no ghost record for ${this.file.kind}`);
      const values: Record<string, Value> = { ...record.values };
      const label = this.file.columns.find((c) => c.name === plan.column)?.header ?? plan.column;
      let reason: string;
      if (plan.reason === 'missing') {
        values[plan.column] = { t: 'raw', v: '' };
        reason = `missing required value: ${plan.column} (${label})`;
      } else if (plan.reason === 'bad_date') {
        values[plan.column] = { t: 'raw', v: '2024-13-45' };
        reason = `unparseable date in ${plan.column} (${label}): 2024-13-45`;
      } else if (plan.reason === 'bad_period') {
        values[plan.column] = { t: 'raw', v: '2024-13' };
        reason = `unparseable period in ${plan.column} (${label}): 2024-13`;
      } else if (plan.reason === 'bad_amount') {
        values[plan.column] = { t: 'raw', v: '12,3x4' };
        reason = `unparseable amount in ${plan.column} (${label}): 12,3x4`;
      } else {
        reason = `too many columns: ${this.file.columns.length + 2} values, header has ${this.file.columns.length}`;
      }
      let cells = formatRecord(this.file, values, 0);
      if (this.file.format === 'xlsx') cells = cells.map((c) => (c === '' ? null : c));
      if (plan.reason === 'too_many_columns') cells = [...cells, '备注', '多余列'];
      this.bad.push({ at: 3 + i * 7, cells, reason });
    });
  }

  /** Writes an employer's rows; returns the link facts (key as written, name as written). */
  writeEmployer(e: Employer): { key: string; name: string }[] {
    const links: { key: string; name: string }[] = [];
    for (const record of recordsFor(this.file, e)) {
      this.plantDue();
      const cells = formatRecord(this.file, record.values, this.dataRows + 1);
      this.writer.write(cells);
      this.dataRows++;
      if (record.link !== undefined) {
        const idx = this.file.columns.findIndex((c) => c.name === record.link?.keyColumn);
        const key = cells[idx];
        links.push({ key: typeof key === 'string' ? key : String(key ?? ''), name: record.link.name });
      }
    }
    return links;
  }

  /** Closes the file after planting the bad rows that did not fit among the data rows. */
  async close(): Promise<void> {
    for (const b of this.bad) this.plant(b);
    this.bad = [];
    await this.writer.close();
  }

  private plantDue(): void {
    while (this.mixed && this.bad.length > 0 && (this.bad[0]?.at ?? Infinity) <= this.dataRows) {
      const b = this.bad.shift();
      if (b !== undefined) this.plant(b);
    }
  }

  private plant(b: { cells: Cell[]; reason: string }): void {
    this.rejects.push({ line: this.writer.lines + 1, reason: b.reason });
    this.writer.write(b.cells);
  }
}

function sheetName(file: PlannedFile): string {
  return (
    {
      registration: '登记信息',
      tax_registration: '税务登记',
      tax_withholding: '扣缴申报',
      civil_org: 'Sheet1',
      si_enrollment: '参保登记',
      si_payment: '征收明细',
      grid_roster: '网格员名册',
      targets: '目标任务',
    }[file.kind as string] ?? 'Sheet1'
  );
}

/**
 * The truth of the planted linking cases: `review_answers.csv` (the pairs recon must put to a
 * person, with the right answer) and `expected_dq_issues.csv` (the issues linking must report).
 */
async function writeLinkTruth(truthDir: string, cases: LinkCaseBuilder): Promise<void> {
  const answers = new DelimitedWriter(join(truthDir, 'review_answers.csv'), 'utf8', ',');
  answers.write(['source', 'record_key', 'candidate_uscc', 'answer', 'employer_key', 'candidate_employer_key']);
  for (const a of cases.answers) answers.write(['si_unit', a.unitId, a.candidateUscc, a.answer, a.employerKey, a.candidateKey]);
  await answers.close();
  const issues = new DelimitedWriter(join(truthDir, 'expected_dq_issues.csv'), 'utf8', ',');
  issues.write(['category', 'source', 'record_key', 'employer_key', 'written']);
  for (const i of cases.issues) issues.write([i.category, i.source, i.recordKey, i.employerKey, i.written]);
  await issues.close();
}
