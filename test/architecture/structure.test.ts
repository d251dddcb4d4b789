// The structure of the code base, as tests: the layers of README.md "Architecture", where the
// database and the console may be touched, how temporary tables are named, and that the named
// SQL steps of a stage can be run on their own and stay in step with the code that runs them.
// Every check reports what it found as a readable list, so a failure names the files to fix.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sqlSteps } from '../../src/db/sql-file.ts';

// The pipeline's modules are imported by the tests that run them, not here: a module that fails
// to load (a .sql file with a duplicate step throws on import) must not hide the static checks.
const helpers = () => import('../helpers.ts');
const steps = () => import('../../src/db/steps.ts');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The layers, lowest first: a file may import from its own layer or lower ones. */
const LAYERS = ['core', 'sources', 'config', 'db', 'reference', 'ingest', 'link', 'rules', 'cases', 'campaign', 'publish', 'pipeline', 'cli'] as const;
/** tools/ sits above every layer of src (it may import anything there; src never imports it). */
const TOOLS_LAYER = LAYERS.length;

// ---------------------------------------------------------------------------------------------
// Files

/** Repository-relative path with forward slashes. */
function rel(file: string): string {
  return path.relative(ROOT, file).split(path.sep).join('/');
}

/** Every file under `dir` (relative to the root) whose name ends with one of `exts`, sorted. */
function filesUnder(dir: string, exts: readonly string[]): string[] {
  const base = path.join(ROOT, dir);
  if (!fs.existsSync(base)) return [];
  return fs
    .readdirSync(base, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(base, f))
    .filter((f) => exts.some((e) => f.endsWith(e)) && fs.statSync(f).isFile())
    .map(rel)
    .sort();
}

const TS = ['.ts', '.mts', '.cts'];
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** 1-based line of an offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

// ---------------------------------------------------------------------------------------------
// A small TypeScript lexer: enough to tell code from comments, strings, template literals and
// regular-expression literals, so that an `import` in a comment or a `FROM '...'` inside a SQL
// template never counts, and a `//` inside a string or a quote inside a regex never confuses it.

interface Lexed {
  /**
   * The source with comments, the text of strings and template literals and regex bodies blanked
   * (same offsets, newlines and quotes kept): only code is left to match.
   */
  code: string;
  /** Every '...' / "..." string and every template literal without `${}`, by the offset of its opening quote. */
  strings: Map<number, string>;
}

const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

function lex(src: string): Lexed {
  const out = src.split('');
  const strings: Lexed['strings'] = new Map();
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const n = src.length;
  // Brace depth of the code inside each open `${`, outermost first; `depth` is the current one.
  const templateStack: number[] = [];
  let depth = 0;
  let last = ''; // the last significant token in code: a punctuator character or a word
  let i = 0;

  /** Scans template text from `j` (just after '`' or '}'); returns where code resumes. */
  const templateText = (start: number, j: number, whole: boolean): number => {
    while (j < n) {
      const c = src[j];
      if (c === '\\') j += 2;
      else if (c === '`') {
        blank(start + 1, j);
        if (whole) strings.set(start, src.slice(start + 1, j));
        last = '`';
        return j + 1;
      } else if (c === '$' && src[j + 1] === '{') {
        blank(start + 1, j);
        templateStack.push(depth);
        depth = 0;
        last = '{';
        return j + 2;
      } else j++;
    }
    blank(start + 1, n);
    return n;
  };

  while (i < n) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const e = src.indexOf('\n', i);
      const end = e < 0 ? n : e;
      blank(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      const e = src.indexOf('*/', i + 2);
      const end = e < 0 ? n : e + 2;
      blank(i, end);
      i = end;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      strings.set(i, src.slice(i + 1, j));
      blank(i + 1, Math.min(j, n));
      last = '"';
      i = j + 1;
    } else if (c === '`') {
      // Whether this template has no substitution: only then is its text a plain string.
      let j = i + 1;
      let plain = true;
      while (j < n && src[j] !== '`') {
        if (src[j] === '\\') j++;
        else if (src[j] === '$' && src[j + 1] === '{') {
          plain = false;
          break;
        }
        j++;
      }
      i = templateText(i, i + 1, plain);
    } else if (c === '}' && depth === 0 && templateStack.length > 0) {
      depth = templateStack.pop() as number;
      i = templateText(i, i + 1, false);
    } else if (c === '/' && (last === '' || /^[^\w$)\]}"`]$/.test(last) || REGEX_AFTER_WORD.has(last))) {
      // A regular-expression literal: up to the closing '/' outside a character class.
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== '\n') {
        const d = src[j];
        if (d === '\\') j++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        j++;
      }
      blank(i + 1, j);
      i = j + 1;
      while (i < n && /[a-z]/i.test(src[i] as string)) i++;
      last = ')';
    } else if (/[\w$]/.test(c)) {
      let j = i;
      while (j < n && /[\w$]/.test(src[j] as string)) j++;
      last = src.slice(i, j);
      i = j;
    } else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      if (!/\s/.test(c)) last = c;
      i++;
    }
  }
  return { code: out.join(''), strings };
}

const lexCache = new Map<string, Lexed>();
function lexed(file: string): Lexed {
  const cached = lexCache.get(file);
  if (cached) return cached;
  const l = lex(read(file));
  lexCache.set(file, l);
  return l;
}

// ---------------------------------------------------------------------------------------------
// Imports

interface Import {
  from: string; // the importing file, repository-relative
  line: number;
  specifier: string;
  kind: 'static' | 'dynamic' | 'url';
  /** `import type` / `export type`: erased at run time. */
  typeOnly: boolean;
  /** The repository-relative target for a relative specifier ('' when it cannot be resolved), undefined for a package. */
  target?: string;
}

/**
 * The imports of a file: `import ... from '...'`, `import '...'`, `export ... from '...'`,
 * `import('...')`, and files it reads beside itself with `new URL('./x', import.meta.url)`.
 */
function importsOf(file: string): Import[] {
  const { code, strings } = lexed(file);
  const text = read(file);
  const found: Import[] = [];
  /** The value of the string literal whose opening quote is at `quote`. */
  const str = (quote: number): string | undefined => strings.get(quote);
  const add = (offset: number, specifier: string, kind: Import['kind'], typeOnly = false): void => {
    const imp: Import = { from: file, line: lineAt(text, offset), specifier, kind, typeOnly };
    if (specifier.startsWith('.') || specifier.startsWith('/')) imp.target = resolveSpecifier(file, specifier, kind);
    found.push(imp);
  };
  // The regexes end at the opening quote of the specifier (string text is blanked in `code`).
  const statics = /(?<![\w$.])(import|export)\s+(type\s+)?(?:[\w$*{}\s,]*?\s*from\s*)?['"]/g;
  for (const m of code.matchAll(statics)) add(m.index, str(m.index + m[0].length - 1) ?? '', 'static', m[2] !== undefined);
  const dynamics = /(?<![\w$.])import\s*\(\s*(['"`]?)/g;
  for (const m of code.matchAll(dynamics)) {
    const value = m[1] ? str(m.index + m[0].length - 1) : undefined;
    // import(someVariable) or import(`./${x}`): nothing to check, so it is reported.
    if (value === undefined) found.push({ from: file, line: lineAt(text, m.index), specifier: '', kind: 'dynamic', typeOnly: false, target: '' });
    else add(m.index, value, 'dynamic');
  }
  const urls = /new\s+URL\(\s*(['"])[^'"\n]*\1\s*,\s*import\.meta\.url\s*\)/g;
  for (const m of code.matchAll(urls)) {
    const value = str(code.indexOf(m[1] as string, m.index)) ?? '';
    if (value.startsWith('./') || value.startsWith('../')) add(m.index, value, 'url');
  }
  return found;
}

/** The file a relative specifier names ('' when none exists): `.ts` as written, or `.js` standing for `.ts`. */
function resolveSpecifier(from: string, specifier: string, kind: Import['kind']): string {
  const base = path.resolve(path.dirname(path.join(ROOT, from)), specifier);
  const candidates = kind === 'url' ? [base] : [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, path.join(base, 'index.ts')];
  const hit = candidates.find((c) => fs.existsSync(c) && (kind === 'url' || fs.statSync(c).isFile()));
  return hit ? rel(hit) : '';
}

/** The layer of a repository-relative file: its index in LAYERS, TOOLS_LAYER for tools/, undefined outside. */
function layerOf(file: string): number | undefined {
  const parts = file.split('/');
  if (parts[0] === 'tools') return TOOLS_LAYER;
  if (parts[0] !== 'src') return undefined;
  const i = (LAYERS as readonly string[]).indexOf(parts.length > 2 ? (parts[1] as string) : '');
  return i < 0 ? undefined : i;
}
const layerName = (l: number | undefined): string => (l === undefined ? 'none' : l === TOOLS_LAYER ? 'tools' : String(l));
const folderOf = (file: string): string => file.split('/').slice(0, 2).join('/');

const CODE_FILES = [...filesUnder('src', TS), ...filesUnder('tools', TS)];
const ALL_IMPORTS = CODE_FILES.flatMap(importsOf);

/** The cycles among the nodes of `edges` (each strongly connected component of more than one node, or a self-loop). */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return found;
}

/** A cycle as `a -> b -> a` (the shortest through the first node of its component), with the component's size. */
function describeCycle(edges: Map<string, Set<string>>, component: string[]): string {
  const inside = new Set(component);
  const start = component[0] as string;
  const previous = new Map<string, string>();
  const queue = [start];
  let end: string | undefined;
  while (queue.length && end === undefined) {
    const v = queue.shift() as string;
    for (const w of edges.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        end = v;
        break;
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  const pathBack: string[] = [];
  for (let v = end; v !== undefined && v !== start; v = previous.get(v)) pathBack.unshift(v);
  const cycle = [start, ...pathBack, start].join(' -> ');
  return component.length > 2 ? `${cycle} (one of the cycles among ${component.join(', ')})` : cycle;
}

describe('layers (README.md "Architecture")', () => {
  it('finds the imports of every file (the parser itself works)', () => {
    expect(CODE_FILES.length).toBeGreaterThan(100);
    const edges = new Set(ALL_IMPORTS.map((i) => `${i.from} -> ${i.target ?? i.specifier}`));
    // Edges the parser must see: a static import, a type-only one, a file read by URL, a package.
    expect([...edges]).toEqual(
      expect.arrayContaining([
        'src/cases/cases.ts -> src/db/sql-file.ts',
        'src/cases/cases.ts -> src/config/context.ts',
        'src/cases/cases.ts -> src/cases/cases.sql',
        'src/db/database.ts -> @duckdb/node-api',
      ]),
    );
    expect(ALL_IMPORTS.find((i) => i.from === 'src/cases/cases.ts' && i.target === 'src/config/context.ts')?.typeOnly).toBe(true);
    // No file that says `import ` comes out with no imports at all (declaration files aside).
    const importing = new Set(ALL_IMPORTS.map((i) => i.from));
    expect(CODE_FILES.filter((f) => f.startsWith('src/') && !f.endsWith('.d.ts') && !importing.has(f) && read(f).includes('import '))).toEqual([]);
  });

  it('every file of src is in a layer, and every relative import resolves', () => {
    const outside = CODE_FILES.filter((f) => f.startsWith('src/') && layerOf(f) === undefined);
    expect.soft(outside, `files of src/ in no layer of ${LAYERS.join(', ')}`).toEqual([]);
    const broken = ALL_IMPORTS.filter((i) => i.target === '').map((i) =>
      i.specifier === ''
        ? `${i.from}:${i.line} import() of a computed specifier (cannot be checked)`
        : `${i.from}:${i.line} -> '${i.specifier}' (no such file)`,
    );
    expect.soft(broken).toEqual([]);
  });

  it('no file imports from a higher layer, and nothing in src imports from tools/ (or anything outside src)', () => {
    const violations: string[] = [];
    for (const i of ALL_IMPORTS) {
      if (!i.target) continue;
      const fromLayer = layerOf(i.from);
      const toLayer = layerOf(i.target);
      const arrow = `${i.from} -> ${i.target}`;
      const how = i.kind === 'url' ? ', reads the file' : i.typeOnly ? ', type-only' : '';
      if (i.from.startsWith('src/')) {
        if (i.target.startsWith('tools/')) violations.push(`${arrow} (src imports tools/${how})`);
        else if (!i.target.startsWith('src/')) {
          // Data files outside src (pipelines/*.yaml) may be read; modules may not be imported.
          if (i.kind !== 'url') violations.push(`${arrow} (src imports from outside src/${how})`);
        } else if (fromLayer !== undefined && toLayer !== undefined && toLayer > fromLayer)
          violations.push(`${arrow} (layer ${layerName(fromLayer)} -> ${layerName(toLayer)}${how})`);
      } else if (i.from.startsWith('tools/') && i.kind !== 'url' && !i.target.startsWith('src/') && !i.target.startsWith('tools/')) {
        violations.push(`${arrow} (tools imports from outside src/ and tools/${how})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('only src/db/ imports @duckdb/* (tools/ may too)', () => {
    const duck = ALL_IMPORTS.filter((i) => i.target === undefined && /^@duckdb\//.test(i.specifier) && !i.from.startsWith('src/db/'));
    const violations = duck.filter((i) => !i.from.startsWith('tools/')).map((i) => `${i.from}:${i.line} -> ${i.specifier}`);
    // Outside src/db only tools/ may (today: tools/snapshot-run.ts, which opens a database itself).
    expect(violations).toEqual([]);
  });

  it('the folders of src form a DAG, and no two files import each other in a cycle', () => {
    const folders = new Map<string, Set<string>>();
    const files = new Map<string, Set<string>>();
    for (const i of ALL_IMPORTS) {
      if (!i.target || i.kind === 'url' || !CODE_FILES.includes(i.target)) continue;
      if (!files.has(i.from)) files.set(i.from, new Set());
      files.get(i.from)?.add(i.target);
      if (!i.from.startsWith('src/') || !i.target.startsWith('src/')) continue;
      const a = folderOf(i.from);
      const b = folderOf(i.target);
      if (!folders.has(a)) folders.set(a, new Set());
      if (a !== b) folders.get(a)?.add(b);
    }
    expect.soft(cycles(folders).map((c) => describeCycle(folders, c))).toEqual([]);
    expect.soft(cycles(files).map((c) => describeCycle(files, c))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('where the console and the catalog are touched', () => {
  it('no console.log in src/ (the logger writes the run log)', () => {
    const hits = [...filesUnder('src', TS), ...filesUnder('src', ['.js', '.mjs', '.cjs'])].flatMap((f) =>
      [...lexed(f).code.matchAll(/\bconsole\s*\.\s*log\b/g)].map((m) => `${f}:${lineAt(read(f), m.index)}`),
    );
    expect(hits).toEqual([]);
  });

  it('no information_schema outside the migrations (src/db/schema/) and `recon tables` (src/cli/tables.ts)', () => {
    const allowed = (f: string): boolean => f.startsWith('src/db/schema/') || f === 'src/cli/tables.ts';
    const scanned = filesUnder('src', [...TS, '.js', '.mjs', '.cjs', '.sql']);
    const hits = scanned
      .filter((f) => !allowed(f))
      .flatMap((f) => {
        const text = read(f);
        return [...text.matchAll(/information_schema/gi)].map((m) => `${f}:${lineAt(text, m.index)}`);
      });
    expect(hits).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

/**
 * Every `CREATE [OR REPLACE] TEMP[ORARY] TABLE [IF NOT EXISTS] <name>` of a text, with the name as
 * written. A TEMP chosen by a placeholder (`CREATE {{temp}}TABLE`, `CREATE ${t}TABLE`) counts too.
 */
function tempTables(text: string): Array<{ offset: number; name: string }> {
  const re =
    /\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+|\{\{\w+\}\}\s*|\$\{[^}]*\}\s*)TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:\$\{[^}]*\}|\{\{\w+\}\}|"[^"]*"|[\w$]+)(?:\s*\.\s*(?:\$\{[^}]*\}|\{\{\w+\}\}|"[^"]*"|[\w$]+))*)/gi;
  return [...text.matchAll(re)].map((m) => ({ offset: m.index, name: m[1] as string }));
}

describe('temporary tables never shadow a table of the database', () => {
  it('every CREATE TEMP TABLE in src/ names a table starting with _', () => {
    const found = filesUnder('src', [...TS, '.sql']).flatMap((f) => tempTables(read(f)).map((t) => ({ ...t, file: f })));
    expect(found.length).toBeGreaterThan(10);
    const bad = found.flatMap((t) => {
      // The last part of a qualified name (temp.main._x); an interpolated name cannot be checked.
      const last = (t.name.split('.').pop() as string).trim().replace(/^"|"$/g, '');
      const checkable = !t.name.includes('${') && !t.name.includes('{{');
      return checkable && last.startsWith('_')
        ? []
        : [`${t.file}:${lineAt(read(t.file), t.offset)} CREATE TEMP TABLE ${t.name}${checkable ? '' : ' (a computed name cannot be checked)'}`];
    });
    expect(bad).toEqual([]);
  });

  it('a run over the fixture publishes no table or view starting with _ in the main schema', async () => {
    const { query, workdir, FIXTURE_INBOX } = await import('../e2e/support.ts');
    const { loadPipeline } = await import('../../src/config/pipeline-file.ts');
    const { runPipeline } = await import('../../src/pipeline/run.ts');
    const { silentLogger } = await import('../../src/core/log.ts');
    const work = workdir({ source: FIXTURE_INBOX });
    const result = await runPipeline(loadPipeline(work.pipelineFile), { logger: silentLogger() });
    expect(result.status).toBe('succeeded');
    const relations = await query(
      work.database,
      `SELECT 'table' AS kind, table_name AS name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
       UNION ALL
       SELECT 'view', view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
       ORDER BY name`,
    );
    // The check itself sees the database: the published tables are there.
    expect(relations.map((r) => r['name'])).toEqual(expect.arrayContaining(['cases', 'findings', 'employers']));
    expect(relations.filter((r) => String(r['name']).startsWith('_')).map((r) => `${String(r['kind'])} main.${String(r['name'])}`)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('a step of a stage runs and is tested on its own', () => {
  it('cases.new and cases.transitions over a hand-made _rule_findings', async () => {
    const { rows, withDb } = await helpers();
    const { runSteps } = await steps();
    const step = sqlSteps(pathToFileURL(path.join(ROOT, 'src/cases/cases.sql')));
    await withDb(async (db) => {
      // The rules stage's output (the columns of rules.sql's _rule_raw).
      await db.run(`CREATE TEMP TABLE _rule_findings (
        rule_id VARCHAR, rule_version INTEGER, amount_formula VARCHAR, employer_id VARCHAR, person_key VARCHAR, severity VARCHAR,
        amount DECIMAL(18, 2), evidence JSON, evidence_text VARCHAR, permit_no VARCHAR)`);
      await db.run(`INSERT INTO _rule_findings VALUES
        ('uninsured', 1, NULL, 'E1', '', 'high', NULL, '{"h": 12}', 'unseen', ''),
        ('uninsured', 1, NULL, 'E2', '', 'high', NULL, '{"h": 8}', 'still found', ''),
        ('lapsed', 1, NULL, 'E5', '', 'medium', 120.50, '{"months": 3}', 'found again', '')`);
      await db.run(`INSERT INTO cases (case_id, employer_id, rule_id, state, opened_run, state_run, last_found_run) VALUES
        ('C00000901', 'E2', 'uninsured', 'new', 'r0', 'r0', 'r0'),
        ('C00000902', 'E3', 'uninsured', 'open', 'r0', 'r0', 'r0'),
        ('C00000903', 'E4', 'uninsured', 'exempt', 'r0', 'r0', 'r0'),
        ('C00000904', 'E5', 'lapsed', 'resolved', 'r0', 'r0', 'r0')`);

      await runSteps(db, [
        { name: 'cases.new', sql: step('cases.new'), creates: ['_case_new'] },
        { name: 'cases.transitions', sql: step('cases.transitions'), creates: ['_case_transitions'] },
      ]);

      const transitions = await rows(db, `SELECT case_id, employer_id, rule_id, from_state, to_state, reason FROM _case_transitions ORDER BY employer_id`);
      expect(transitions).toEqual([
        { case_id: 'C00000001', employer_id: 'E1', rule_id: 'uninsured', from_state: null, to_state: 'new', reason: 'found' },
        { case_id: 'C00000901', employer_id: 'E2', rule_id: 'uninsured', from_state: 'new', to_state: 'open', reason: 'still found' },
        { case_id: 'C00000902', employer_id: 'E3', rule_id: 'uninsured', from_state: 'open', to_state: 'resolved', reason: 'no longer found' },
        // E4's exempt case is not found and stays as it is: no transition.
        { case_id: 'C00000904', employer_id: 'E5', rule_id: 'lapsed', from_state: 'resolved', to_state: 'reopened', reason: 'found again' },
      ]);
      expect(await rows(db, `SELECT case_id, employer_id, rule_id FROM _case_new`)).toEqual([
        { case_id: 'C00000001', employer_id: 'E1', rule_id: 'uninsured' },
      ]);
      // Only those two steps ran: the cases table is as it was (cases.insert and cases.update did not run).
      expect(await rows(db, `SELECT case_id, state FROM cases ORDER BY case_id`)).toEqual([
        { case_id: 'C00000901', state: 'new' },
        { case_id: 'C00000902', state: 'open' },
        { case_id: 'C00000903', state: 'exempt' },
        { case_id: 'C00000904', state: 'resolved' },
      ]);
      expect(await rows(db, `SELECT count(*) AS n FROM case_events`)).toEqual([{ n: 0 }]);
    });
  });

  it('RECON_DEBUG_STEPS=1 keeps each step table as debug."<step>__<table>"', async () => {
    const { rows, withDb } = await helpers();
    const { runSteps } = await steps();
    const saved = process.env['RECON_DEBUG_STEPS'];
    const probe = { name: 'probe.make', sql: `CREATE OR REPLACE TEMP TABLE _x AS SELECT i, 'row ' || i AS label FROM range(3) t(i)`, creates: ['_x'] };
    const debugTables = `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'debug' ORDER BY table_name`;
    try {
      process.env['RECON_DEBUG_STEPS'] = '1';
      await withDb(async (db) => {
        await runSteps(db, [probe]);
        // The step's table changes afterwards; the copy is as it was right after the step.
        await db.run(`INSERT INTO _x VALUES (99, 'later')`);
        expect(await rows(db, debugTables)).toEqual([{ table_name: 'probe.make___x' }]);
        expect(await rows(db, `SELECT i, label FROM debug."probe.make___x" ORDER BY i`)).toEqual([
          { i: 0, label: 'row 0' },
          { i: 1, label: 'row 1' },
          { i: 2, label: 'row 2' },
        ]);
      });
      // Without the variable nothing is kept.
      delete process.env['RECON_DEBUG_STEPS'];
      await withDb(async (db) => {
        await runSteps(db, [probe]);
        expect(await rows(db, debugTables)).toEqual([]);
      });
    } finally {
      if (saved === undefined) delete process.env['RECON_DEBUG_STEPS'];
      else process.env['RECON_DEBUG_STEPS'] = saved;
    }
  });
});

// ---------------------------------------------------------------------------------------------

/**
 * The string literals a variable `name` runs over when the code just before `offset` is
 * `['a', 'b'].map((name) =>` (or forEach, flatMap) or `for (const name of ['a', 'b'])`; undefined otherwise.
 */
function literalList({ code, strings }: Lexed, offset: number, name: string): string[] | undefined {
  if (!/^[\w$]+$/.test(name)) return undefined;
  const n = name.replace(/\$/g, '\\$');
  const before = code.slice(Math.max(0, offset - 400), offset);
  const list = String.raw`\[\s*((?:(['"])[^'"\n]*\2\s*,?\s*)+)\]`;
  const forms = [
    new RegExp(`${list}\\s*\\.(?:map|forEach|flatMap)\\(\\s*\\(?\\s*${n}\\b[^)=]*\\)?\\s*=>`, 'g'),
    new RegExp(`for\\s*\\(\\s*(?:const|let)\\s+${n}\\s+of\\s+${list}\\s*\\)`, 'g'),
  ];
  const hits = forms.flatMap((re) => [...before.matchAll(re)]).sort((a, b) => b.index - a.index);
  const hit = hits[0];
  if (!hit) return undefined;
  const start = Math.max(0, offset - 400) + hit.index;
  const quotes = [...(hit[0] as string).matchAll(/['"]/g)].filter((_, k) => k % 2 === 0);
  return quotes.map((q) => strings.get(start + q.index) ?? '');
}

/** The step marker sqlSteps splits on (src/db/sql-file.ts). */
const STEP_MARKER = /^-- step: *([\w.]+) *$/gm;

describe('the named steps of the .sql files and the code that runs them agree', () => {
  const sqlFiles = filesUnder('src', ['.sql']).filter((f) => /^--\s*step\b/im.test(read(f)));
  const tsOfSrc = filesUnder('src', TS);

  it('every .sql file with steps parses: no duplicate names, no malformed marker', () => {
    expect(sqlFiles.length).toBeGreaterThanOrEqual(6);
    const problems: string[] = [];
    for (const f of sqlFiles) {
      try {
        sqlSteps(pathToFileURL(path.join(ROOT, f)));
      } catch (e) {
        problems.push(`${f}: ${(e as Error).message}`);
      }
      // A line that looks like a marker but is not one would silently join the step above.
      const text = read(f);
      for (const m of text.matchAll(/^[ \t]*--[ \t]*step\b.*$/gim)) {
        if (!new RegExp(STEP_MARKER.source).test(m[0])) problems.push(`${f}:${lineAt(text, m.index)} malformed marker "${m[0]}"`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every step of a .sql file is named by a string literal in the TypeScript of src (no dead steps)', () => {
    const literals = new Set(tsOfSrc.flatMap((f) => [...lexed(f).strings.values()]));
    const unused = sqlFiles.flatMap((f) =>
      [...read(f).matchAll(STEP_MARKER)]
        .map((m) => m[1] as string)
        .filter((name) => !literals.has(name))
        .map((name) => `${f}: step ${name}`),
    );
    expect(unused).toEqual([]);
  });

  it('every step name the code looks up exists in its .sql file', () => {
    const problems: string[] = [];
    let lookups = 0;
    for (const f of tsOfSrc) {
      if (f === 'src/db/sql-file.ts') continue;
      const lx = lexed(f);
      const { code, strings } = lx;
      const text = read(f);
      const bindings = [...code.matchAll(/\b(?:const|let)\s+([\w$]+)\s*=\s*sqlSteps\(\s*new\s+URL\(\s*(['"])([^'"]+)\2\s*,\s*import\.meta\.url\s*\)\s*\)/g)];
      const calls = [...code.matchAll(/\bsqlSteps\s*\(/g)].length;
      if (calls !== bindings.length)
        problems.push(
          `${f}: sqlSteps called in a way this test cannot follow (${calls} calls, ${bindings.length} of the form const x = sqlSteps(new URL('./f.sql', import.meta.url)))`,
        );
      for (const b of bindings) {
        const lookup = b[1] as string;
        const file = strings.get(b.index + b[0].indexOf(b[2] as string, b[0].indexOf('URL('))) ?? '';
        const sql = resolveSpecifier(f, file, 'url');
        if (!sql) {
          problems.push(`${f}: ${file} does not exist`);
          continue;
        }
        const names = new Set([...read(sql).matchAll(STEP_MARKER)].map((m) => m[1] as string));
        // Functions that pass their first parameter straight to the lookup: function s(name, ...) { ... step(name) ... }.
        const wrappers = [...code.matchAll(new RegExp(`\\bfunction\\s+([\\w$]+)\\s*\\(\\s*([\\w$]+)[^)]*\\)[^{]*\\{[^}]*?\\b${lookup}\\(\\s*\\2\\s*\\)`, 'g'))];
        const callees = [lookup, ...wrappers.map((w) => w[1] as string)];
        const passThrough = new Set(wrappers.map((w) => `${lookup}(${w[2]})`));
        for (const callee of callees) {
          for (const m of code.matchAll(new RegExp(`(?<![\\w$.])${callee.replace(/\$/g, '\\$')}\\(\\s*(['"])?([^'")\\n]*)`, 'g'))) {
            if (/^function\s*$/.test(code.slice(Math.max(0, m.index - 9), m.index))) continue; // the wrapper's own definition
            const at = `${f}:${lineAt(text, m.index)}`;
            if (m[1] !== undefined) {
              lookups++;
              const name = strings.get(m.index + m[0].length - (m[2] as string).length - 1) ?? '';
              if (!names.has(name)) problems.push(`${at}: step "${name}" is not in ${sql}`);
            } else if (!(callee === lookup && passThrough.has(`${lookup}(${(m[2] as string).trim()})`))) {
              // A name from a list of literals just before: ['a', 'b'].map((name) => ... step(name) ...) or for (const name of ['a', 'b']).
              const listed = literalList(lx, m.index, (m[2] as string).trim());
              if (!listed) problems.push(`${at}: ${callee}(${(m[2] as string).trim()}) names a step this test cannot check (not a string literal)`);
              for (const name of listed ?? []) {
                lookups++;
                if (!names.has(name)) problems.push(`${at}: step "${name}" is not in ${sql}`);
              }
            }
          }
        }
      }
    }
    expect(lookups).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  });
});
