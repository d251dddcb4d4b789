import { Command } from 'commander';
import { withPublishedDb } from './published.ts';
import { textList } from '../db/database.ts';
import { findEmployers, employerView, type EmployerView } from '../link/view.ts';
import { CONTRACTS, type Kind } from '../sources/index.ts';
import { EXIT } from './exit.ts';
import { DEFAULT_PIPELINE } from './run.ts';

const SOURCE_LABEL: Record<string, string> = {
  registration: '市场监管登记',
  civil_org: '民政登记',
  tax_registration: '税务登记',
  tax_withholding: '个税扣缴申报',
  si_unit: '社保参保单位',
  si_enrollment: '社保参保登记',
  si_payment: '社保缴费明细',
};

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'bigint') return value.toString();
  return String(value);
}

function table(rows: Array<Record<string, unknown>>, labels: (k: string) => string = (k) => k): string {
  const first = rows[0];
  if (!first) return '  (none)\n';
  const keys = Object.keys(first);
  const widths = keys.map((k) => Math.min(40, Math.max(labels(k).length, ...rows.map((r) => text(r[k]).length))));
  const line = (cells: string[]): string =>
    '  ' +
    cells
      .map((c, i) => c.slice(0, 40).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd() +
    '\n';
  return line(keys.map(labels)) + rows.map((r) => line(keys.map((k) => text(r[k])))).join('');
}

/** The view as text for a terminal. */
export function formatEmployerView(v: EmployerView): string {
  const e = v.employer;
  let out = `${text(e['name'])}  [${text(e['employer_id'])}]\n`;
  out += `  统一社会信用代码 ${text(e['uscc']) || '(无)'}  类型 ${text(e['kind'])}  区县 ${text(e['district_code'])}  街道 ${text(e['street'])}\n`;
  out += `  sources: ${['in_registration', 'in_civil', 'in_tax', 'in_si']
    .filter((k) => e[k] === true)
    .map((k) => k.slice(3))
    .join(', ')}\n\n`;
  out += `How the records were linked (关联方式)\n${table(v.links)}\n`;
  for (const [source, all] of Object.entries(v.records)) {
    const contract = CONTRACTS[source as Kind];
    const label = (k: string): string => contract?.columns.find((c) => c.name === k)?.label ?? k;
    // Raw spellings and provenance stay in --json; people read the typed values.
    const rows = all.map((r) => Object.fromEntries(Object.entries(r).filter(([k, val]) => !k.endsWith('_raw') && k !== 'src_line' && val !== null)));
    out += `${SOURCE_LABEL[source] ?? source} (${rows.length})\n`;
    if (rows.length <= 2) {
      for (const r of rows)
        out += `${Object.entries(r)
          .map(([k, val]) => `  ${label(k)}: ${text(val)}`)
          .join('\n')}\n\n`;
    } else {
      out += `${table(rows, label)}\n`;
    }
  }
  out += `Data quality (数据质量问题)\n${table(v.dataQuality)}\n`;
  out += `Uncertain links (待人工确认)\n${table(v.review)}\n`;
  out += `Notices (告知书)\n${table(v.notices)}`;
  return out;
}

/** `recon employer`: the one-employer view for analysts. */
export function employerCommand(): Command {
  return new Command('employer')
    .description('Show one employer across every source (一户式): its records, how they were linked and why')
    .argument('<query>', 'employer id, USCC, SI unit id, taxpayer id, or part of a name')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .option('--json', 'print JSON instead of text')
    .action(async (query: string, opts: { pipeline: string; db?: string; json?: boolean }) => {
      await withPublishedDb(opts, async (db) => {
        const ids = await findEmployers(db, query);
        if (ids.length === 0) {
          process.stderr.write(`No employer matches "${query}".\n`);
          process.exitCode = EXIT.failed;
          return;
        }
        if (ids.length > 1) {
          const list = await db.all<{ employer_id: string; name: string; uscc: string | null }>(
            `SELECT employer_id, name, uscc FROM employers WHERE employer_id IN (SELECT unnest($1::VARCHAR[])) ORDER BY employer_id`,
            [textList(ids)],
          );
          process.stdout.write(`${ids.length} employers match "${query}"; name one by its id:\n${table(list)}`);
          return;
        }
        const view = await employerView(db, ids[0] as string);
        process.stdout.write(opts.json ? `${JSON.stringify(view, (_, v) => (typeof v === 'bigint' ? Number(v) : v), 2)}\n` : formatEmployerView(view));
      });
    });
}
