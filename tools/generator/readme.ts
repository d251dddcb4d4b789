/**
 * The truth folder's README.md: what each file holds, how the expected findings were
 * computed (with every interpretation of docs/rules.md), and the scenario list with counts.
 */
import { writeFileSync } from 'node:fs';
import type { GenerateOptions, GenerateSummary } from './options.ts';
import { SCENARIOS } from './scenarios.ts';
import { RULE_IDS } from './truth.ts';
import { PERSON_CASES } from './person-cases.ts';
import { PERSON_INTERPRETATIONS, PERSON_RULE_IDS } from './person-truth.ts';
import { ROUND_EMPLOYERS } from './persons.ts';
import { LINK_CASES, LINK_CASE_IDS, LINK_ROUND_EMPLOYERS, LINK_SCENARIOS } from './link-cases.ts';
import { DEFAULT_LINK_PARAMS } from '../../src/config/pipeline-file.ts';

const INTERPRETATIONS = [
  'Closed month M: the last calendar month whose last day is on or before D - lag_days (lag 15). For D = 2026-10-31, M = 2026-09.',
  'Established "on or before D - 30 days" is old enough; established D - 29 is exempt ("less than 30 days before D").',
  'Exemptions: the phrase "for every rule but arrears and closed_still_enrolled" qualifies only the closed/revoked/moved-out exemption; individual businesses without headcount evidence and employers younger than 30 days are exempt from every rule. No scenario depends on this reading (no such employer owes money or is closed and enrolled).',
  '"No headcount evidence" = H unknown (no withholding row in M-2..M and no registry employees). H = 0 is evidence (of zero staff).',
  'Closed/revoked/moved out = registry status class closed, revoked, moved_out; civil-affairs 注销 is closed and 撤销 revoked. Suspended (停业/歇业) and liquidating (清算) are neither active nor closed.',
  'H for social organisations falls back to the civil-affairs headcount (从业人员数).',
  'under_enrolled: A = mean withholding headcount over the months of M-2..M that have a row (no row -> no finding); insured = the pension payment row count for M, else the pension enrollment count; evaluated exactly as A - I >= 3 and A - I >= A/10.',
  "under_declared_base: sums over the months of M-2..M having both a pension payment row and a withholding row; base < 0.8 x wages and wages - base >= 10,000 (over the months together), or base / insured < floor. The fixture's base-rule scenarios have rows in all three months, so per-month and summed readings agree except on the 10,000 boundary, which is a 3-month sum.",
  'selective_enrollment: mandatory types 110/210/310/410, plus 510 only if the parameters in force on D say maternity is separate; severity high when 410 is missing in a high-risk industry (registry industry code, the reference table of src/reference/industries.ts).',
  'lapsed: the gap is the run of months ending at M where no row of any type has amount_paid > 0 (no row counts as unpaid); "something paid before" = some ledger month before the gap with amount_paid > 0.',
  'arrears: sum of amount_due - amount_paid over all ledger months <= M and all types. Class precedence closed > dormant > operating; a moved-out entity is not "closed" for the class. "Withholding headcount 0 for the last 6 months" = every month of M-5..M has no row or headcount 0 (the scenarios use explicit 0 rows).',
  'not_declared: "a payment row" = a row of any type; assessment = 110% of the sum of amount_due of the latest month with rows.',
  'closed_still_enrolled: D - closed_on > 30 days (exactly 30 is not enough); no date -> finding.',
  'Payment files: the later file (by the date in its name) wins for the months it holds. The earlier payment CSV shows some rows of the overlap month as unpaid (stale); the truth uses the later values.',
  'Amounts in the detail column (uninsured: max(H,1) x floor x pension rate x whole months since established, 1..24; under_enrolled; under_declared_base; arrears owed and late fee; not_declared assessment) are informative; the truth key is (employer_key, rule_id).',
];

/** Writes the truth README. */
export function writeTruthReadme(path: string, s: GenerateSummary, o: GenerateOptions, background: Record<string, { expect: string[]; note: string }>): void {
  const rows: string[] = [];
  for (const sc of SCENARIOS) {
    const labels = sc.id === 'pair_suffix' || sc.id === 'pair_district' ? [`${sc.id}_insured`, `${sc.id}_uninsured`] : [sc.id];
    for (const label of labels) {
      const expect =
        label.endsWith('_uninsured') && sc.id.startsWith('pair_')
          ? sc.id === 'pair_suffix'
            ? 'uninsured, tax_not_insured'
            : 'uninsured'
          : sc.expect.join(', ');
      rows.push(`| \`${label}\` | ${s.scenarios[label] ?? 0} | ${expect || '(none)'} | ${sc.note} |`);
    }
  }
  for (const [label, b] of Object.entries(background))
    rows.push(`| \`${label}\` | ${s.scenarios[label] ?? 0} | ${b.expect.join(', ') || '(none)'} | background: ${b.note} |`);
  for (const [label, b] of Object.entries(LINK_SCENARIOS))
    rows.push(`| \`${label}\` | ${s.scenarios[label] ?? 0} | ${b.expect.join(', ') || '(none)'} | linking case: ${b.note} |`);
  const text = `# Ground truth of the generated inbox

Generated by \`recon generate --employers ${o.employers} --seed ${o.seed} --as-of ${s.asOf} --formats ${s.formats}${s.persons ? ' --persons' : ' --no-persons'}${s.projects ? ' --projects' : ''}\`
(city ${o.city ?? '3205'}, local parameters ${o.params ?? 'pipelines/local-params.yaml'}). As-of date D = ${s.asOf},
closed month M = ${s.closedMonth} (lag 15 days). Nothing here depends on the clock: the same
options give byte-identical files.

## Files

- \`employers.csv\`: one row per generated employer. \`employer_key\` is the generator's stable
  id; \`uscc\` the true (clean, valid) code; \`kind\` enterprise / individual / coop /
  social_org; \`district_code\`, \`street\`; \`scenario\` the label below; \`registry_status\` as
  written; \`hard_cases\` the linking difficulties its records carry (\`si_without_uscc\`,
  \`si_uscc_bad_check_char\`, \`tax_legacy15\`, \`tax_id_number\`, \`*_traditional\`,
  \`*_brackets\`, \`*_spaces\`, \`pair_suffix\`, \`pair_district\`, and the planted linking cases
  \`${LINK_CASE_IDS.join('`, `')}\`, \`review_candidate\`: see "Linking cases").
- \`links.csv\`: one row per source record (registration and civil-affairs rows, taxpayers, SI
  units; withholding and payment rows link through the taxpayer id and unit id): \`kind\`,
  \`file\`, \`key\` exactly as written (registration/civil: USCC, tax: taxpayer_id, SI: unit_id),
  \`key_clean\` (full-width folded, upper case, no spaces), \`name\` as written, and the
  \`employer_key\` it truly belongs to.
- \`findings.csv\`: every (employer_key, rule_id) that docs/rules.md must find at D with the default
  parameters, with \`severity\` where docs/rules.md fixes it and an informative \`detail\`.
- \`expected_rejects.csv\`: the planted bad rows: \`file\`, \`line\` (1-based, title rows and the
  header count as lines; for XLSX the sheet row number), \`reason\`. They belong to ghost
  employers that appear nowhere else, so rejecting them changes no finding.
- \`review_answers.csv\`: the pairs recon must put to a person (link_review) and the right answer:
  \`source\` (si_unit), \`record_key\` (unit_id), \`candidate_uscc\` (the registry employer its name
  is a near miss of), \`answer\` (\`same\` / \`different\`), \`employer_key\` (the unit's true employer)
  and \`candidate_employer_key\`.
- \`expected_dq_issues.csv\`: the data-quality issues linking must report for the planted cases:
  \`category\` (\`invalid_org_code\`), \`source\`, \`record_key\`, \`employer_key\`, \`written\` (the code as
  planted, before the file's spelling noise).

## Findings per rule

| rule | findings |
| --- | --- |
${RULE_IDS.map((r) => `| \`${r}\` | ${s.findings[r]} |`).join('\n')}

## How the truth is computed

\`tools/generator/truth.ts\` evaluates docs/rules.md over the clean model of each employer (before its
values are dirtied for the exports), with the parameters of \`pipelines/local-params.yaml\`.
Each scenario also declares the rules it expects; the generator checks the evaluator against
that list for every employer (mismatches in this run: ${s.mismatches.length}).

Mandatory insurance types in this run: ${s.mandatoryTypes.join(', ')}.

Interpretations of docs/rules.md:

${INTERPRETATIONS.map((i) => `- ${i}`).join('\n')}

## Scenarios

| scenario | employers | expected rules | what it shows |
| --- | --- | --- | --- |
${rows.join('\n')}
${linkSection(s)}${s.persons ? personSection(s) : '\nNo person-level files in this run (`--no-persons`).\n'}`;
  writeFileSync(path, text);
}

/** The person part of the README: files, formulas, interpretations, the planted cases. */
function personSection(s: GenerateSummary): string {
  const p = s.persons;
  if (p === undefined) return '';
  const files = s.files.filter((f) => ['iit_detail', 'si_person', 'resident_pension', 'assistance'].includes(f.kind));
  const cases = PERSON_CASES.map((c) => {
    const expect = c.expect.map(
      (x) =>
        `${x.rule}${x.host !== undefined ? (c.slots.length > 1 ? ` at host ${x.host + 1}` : ' at its employer') : ''}${x.severity ? ` (${x.severity})` : ''}`,
    );
    const hosts = c.slots.map((h) => h.host).join(' + ');
    return `| \`${c.id}\` | ${p.cases[c.id] ?? 0} | ${hosts} | ${expect.join(', ') || '(none)'} | ${c.note} |`;
  });
  return `
## People (person-level exports)

The people behind the employers, written from their own random streams: the employer files and
the employer truth above are byte-identical with and without them (\`--no-persons\`).

${files.map((f) => `- \`${f.file}\` (${f.kind}, ${f.rows} rows): ${(f.headers ?? []).join(', ')}`).join('\n')}

How they agree with the employer exports:
- The wage earners of an employer's withholding month are exactly its headcount: for every
  tax_withholding row, that many people have a 正常工资薪金 row of the agent and month (interns
  included), and their incomes sum to the row's wages to the cent. 劳务报酬 and 全年一次性奖金收入
  rows come on top (not in the headcount, not in the wages).
- The people paid at an SI unit in a month are its payment row's count, and their bases sum to the
  row's base_total; the si_person row of each shows its status (the unit's enrollment status for
  its current insured; 暂停 or 终止 for people who left), the base of the person's last paid month
  and that month as 末次缴费年月. Planted people with extra rows at a unit (\`p_enrolled_*\`,
  \`p_lapsed_at_unit\`) come on top of those counts.
- In mixed formats the main iit_detail file is an earlier delivery (as-of ${isoMinus(s.asOf, 11)}); one agent's
  month (${p.correction ?? 'none'}) is corrected by a later 更正申报 file, which holds all of that agent's rows of the
  month and wins (the truth uses the corrected rows).

- \`person_findings.csv\`: every person finding RULES.md ("Person level") must find at D, with
  columns \`rule_id\`, \`id_no\` (normalised: 18 characters, upper-case X), \`person_name\`,
  \`uscc\` (the true USCC of the employer; empty for person_lapsed and assistance_not_covered),
  \`severity\`, \`amount\` (yuan, 2 decimals; empty for person_lapsed). Matched on (rule_id, id_no, uscc).
- \`person_cases.csv\`: the planted people: \`case\`, \`round\`, \`person_key\`, \`id_type\`, \`id_no\`
  (normalised), \`id_written\` (the planted spellings of the number, \`|\`-separated), \`hosts\`
  (USCCs of the employers used), \`expected\` and \`found\` (\`rule@uscc:severity\`), \`note\`.

People: ${p.persons} (wage earners ${p.wageEarners}); planted: ${Object.values(p.cases).reduce((a, b) => a + b, 0)} in rounds of ${PERSON_CASES.length}, one round per ${ROUND_EMPLOYERS} employers
(mismatches between the evaluator and the cases' expectations: ${p.mismatches.length}; incomplete: ${p.incomplete}).
Parameters: retirement_age.male 60, retirement_age.female 55, daijiao_from_month 7 (defaults);
resident_pension_min_tier ${p.minTier.yuan.toFixed(2)} yuan (${p.minTier.source}).

### Person findings per rule

| rule | findings |
| --- | --- |
${PERSON_RULE_IDS.map((r) => `| \`${r}\` | ${p.findings[r]} |`).join('\n')}

### How the person truth is computed

\`tools/generator/person-truth.ts\` evaluates the person rules over the clean person model (before any
value is dirtied: IDs as the person's normalised number, the corrected iit_detail month) and the
clean employers, with the local parameters of the month each amount is for. Readings:

${PERSON_INTERPRETATIONS.map((i) => `- ${i}`).join('\n')}

Amounts (yuan, rounded to the cent at the end):
- person_uninsured: sum over the months m of M-11..M with a qualifying row at E of base_floor(m) x employer_rates.110(m).
- person_base_low: (W - base) x employer_rates.110(M) x 3, W = min(I, base_cap(M)).
- assistance_not_covered: resident_pension_min_tier.
- person_lapsed: none.

### Planted person cases

Host: U = a wage slot never insured, at an employer not enrolled; Ue = the same at an enrolled
employer; I = an insured and paid slot at an enrolled employer; agent = any withholding agent;
unit = an enrolled unit; place = where the person lives. No host of U, Ue or I is excluded by the
employer-level rules. Background people (everyone else) have whatever findings the evaluator gives them.

| case | people | hosts | expected findings | what it shows |
| --- | --- | --- | --- | --- |
${cases.join('\n')}
`;
}

function isoMinus(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** The linking cases of the README: what is planted, how, and how the evaluation reads the review pairs. */
function linkSection(s: GenerateSummary): string {
  const n = s.linkCases ?? {};
  const l = DEFAULT_LINK_PARAMS;
  return `
## Linking cases (issue 19)

Planted by \`tools/generator/link-cases.ts\`, one round of each case per ${LINK_ROUND_EMPLOYERS} employers (at least
one), from their own random streams and written after every other employer; they have their own
people in the person files, but host no planted person case and build no projects. Every one is
a whole employer, insured and paying, so that linked right it has no finding; \`review_different\` is an employer of its own known only to the SI
office (its unit's name a near miss of a \`review_candidate\` in the registry).

| case | planted | what it is |
| --- | --- | --- |
${LINK_CASE_IDS.map((c) => `| \`${c}\` | ${n[c] ?? 0} | ${LINK_CASES[c]} |`).join('\n')}

Columns: the registration exports carry \`former_names\` (曾用名 in the enterprise CSV, 历史名称 in the
individual-business XLSX and in \`--formats csv\`): empty for most rows; for the planted employers and
${n['background_former_names'] ?? 0} background registry employers (former names nobody else uses) one to three names
joined by one of \`;\` \`；\` \`、\` \`|\`. The SI enrollment export carries \`org_code\` (组织机构代码; aab003 in
\`--formats csv\`): empty for most units, the organisation code inside the unit's USCC for about 30% of
the units that write their USCC (a fifth of those in the printed form \`XXXXXXXX-X\`), and what the
planted cases say. Both columns draw from their own random stream, so every other cell of those
files is as before they existed.

Near misses: the registry name is \`<city><trade><industry>有限公司\` (苏州鑫达电子有限公司), and no
employer has its core under another legal form; the unit's name has one or two characters of the
industry word typed as a homophone no generated name uses (at least one character of the word
kept, no other industry word keeping the same ones), chosen so that recon's similarity
(Jaro-Winkler of the normalised names without their legal form, src/link/similarity.ts) is >=
review_min ${l.reviewMin} and < auto_accept ${l.autoAccept}: the defaults (other thresholds can move a pair out of the review band).

Reading of the truth for the review pairs: \`findings.csv\` and \`links.csv\` are the truth under
correct linking (the review_same unit belongs to its candidate; the review_different unit to its own
employer). A pair recon lists in link_review is waiting for a person, so \`recon evaluate\` leaves out of
the precision and recall of links and rules the records of such a pair and the findings of the
employers on either side of it (true employer of the unit and of the candidate, ours mapped to
them; person findings under their USCCs too), and reports them apart as "awaiting review". Once
a person has decided a pair, recon no longer lists it and its links and findings are scored like
any other. A pair recon fails to list is scored as well (and counts against the review class).
`;
}
