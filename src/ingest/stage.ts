import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { Db } from '../db/database.ts';
import type { RunContext } from '../config/context.ts';
import { today } from '../core/clock.ts';
import type { Kind } from '../sources/index.ts';
import { KINDS } from '../sources/index.ts';
import { InputError, errorMessage } from '../core/errors.ts';
import { loadFile, refuseEntry, runningUser, type LoadResult, type LoadOptions } from './load.ts';

export interface KindTally {
  files: number;
  rowsLoaded: number;
  rowsRejected: number;
}

export interface IngestSummary {
  results: LoadResult[];
  byKind: Record<Kind, KindTally>;
  loaded: number;
  duplicates: number;
  refused: number;
  rowsLoaded: number;
  rowsRejected: number;
}

/** An inbox entry, in path order: a file to load, or one refused before anything of it was read. */
export interface InboxEntry {
  file: string;
  /** Why the entry cannot be read (a link out of the inbox, an unreadable folder, a pipe): refused as it is. */
  refusal?: InputError;
}

/**
 * Walks the inbox for the entries matching `include`, sorted by path so runs are repeatable.
 * Nothing one entry is or does ends the walk: an entry that cannot be read is returned with
 * its refusal. Only regular files are read; a symbolic link only when its real path is a
 * regular file inside the inbox (never followed out of it, nor into a folder, so no loop and
 * no walk of `/`); hidden entries (`.name`) are skipped, as the globs skip them. Folders are
 * refused when they cannot be listed; links to folders, broken and looping links are refused
 * whatever their name (files under them could have matched), other entries only when their
 * name matches. Only the inbox itself missing or unreadable throws (an InputError).
 */
export function walkInbox(inbox: string, include: string[], exclude: string[] = []): InboxEntry[] {
  const root = inboxRoot(inbox);
  const included = picomatch(include, { nocase: true, dot: false });
  const excluded = exclude.length ? picomatch(exclude, { nocase: true, dot: true }) : (): boolean => false;
  const found: Array<InboxEntry & { rel: string }> = [];
  const visit = (relDir: string): void => {
    const dir = relDir ? path.join(inbox, relDir) : inbox;
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (error) {
      if (!relDir) throw inboxUnreadable(inbox, error);
      found.push({ rel: relDir, file: dir, refusal: folderRefusal(dir, error) });
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const rel = relDir ? `${relDir}/${name}` : name;
      if (excluded(rel)) continue;
      const file = path.join(inbox, rel);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // gone since the listing
        found.push({ rel, file, refusal: entryRefusal(file, error) });
        continue;
      }
      if (st.isDirectory()) {
        const denied = accessProblem(file, fs.constants.R_OK | fs.constants.X_OK);
        if (denied) found.push({ rel, file, refusal: folderRefusal(file, denied) });
        else visit(rel);
        continue;
      }
      const wanted = included(rel);
      const problem = st.isSymbolicLink() ? linkProblem(file, root) : undefined;
      if (problem) {
        if (wanted || problem.folderLike) found.push({ rel, file, refusal: problem.refusal });
        continue;
      }
      if (!wanted) continue;
      const refusal = st.isSymbolicLink() ? targetProblem(file) : fileProblem(file, st);
      found.push(refusal ? { rel, file, refusal } : { rel, file });
    }
  };
  visit('');
  return found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0)).map(({ rel: _rel, ...entry }) => entry);
}

/** The inbox files matching `include` that can be read, sorted by path (the entries walkInbox refuses are left out). */
export function listInbox(inbox: string, include: string[], exclude: string[] = []): string[] {
  return walkInbox(inbox, include, exclude)
    .filter((e) => !e.refusal)
    .map((e) => e.file);
}

/**
 * The same checks as the walk, again right before a file is read (the walk may be minutes
 * earlier, and a file can be swapped for a link meanwhile): a refusal, or undefined to read it.
 */
export function recheckEntry(file: string, inbox: string): InputError | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (error) {
    return entryRefusal(file, error);
  }
  if (st.isSymbolicLink()) {
    const problem = linkProblem(file, inboxRoot(inbox));
    if (problem) return problem.refusal;
    return targetProblem(file);
  }
  return fileProblem(file, st);
}

/** fileProblem for the target of a link already checked (it may have changed since). */
function targetProblem(link: string): InputError | undefined {
  try {
    return fileProblem(link, fs.statSync(link));
  } catch (error) {
    return entryRefusal(link, error);
  }
}

function inboxRoot(inbox: string): string {
  let root: string;
  try {
    root = fs.realpathSync(inbox);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(`The inbox folder "${inbox}" does not exist. Create it, or set "inbox" in the pipeline file or --inbox.`);
    }
    throw inboxUnreadable(inbox, error);
  }
  if (!fs.statSync(root).isDirectory())
    throw new InputError(`The inbox "${inbox}" is not a folder. Set "inbox" in the pipeline file (or --inbox) to the folder the exports are delivered to.`);
  return root;
}

function inboxUnreadable(inbox: string, error: unknown): InputError {
  return new InputError(
    `Cannot read the inbox folder "${inbox}" (${firstLine(error)}). Let the user recon runs as (${runningUser()}) read and open it (chmod o+rx, or the folder's group), then run again.`,
  );
}

/** The error of `fs.accessSync`, or undefined when the access is allowed. */
function accessProblem(file: string, mode: number): unknown {
  try {
    fs.accessSync(file, mode);
    return undefined;
  } catch (error) {
    return error;
  }
}

function firstLine(error: unknown): string {
  return errorMessage(error).split('\n')[0] ?? '';
}

const KEEP = 'the data already loaded stays in use';

function folderRefusal(dir: string, error: unknown): InputError {
  return new InputError(
    `Cannot open the folder "${dir}" in the inbox (${firstLine(error)}): nothing in it was read. Let the user recon runs as (${runningUser()}) read and open it (chmod o+rx, or the folder's group), or move it out of the inbox; ${KEEP}.`,
    { reason: 'unreadable' },
  );
}

function entryRefusal(file: string, error: unknown): InputError {
  return new InputError(
    `Cannot look at "${file}" in the inbox (${firstLine(error)}); it was not read. Check its permissions and those of its folder for the user recon runs as (${runningUser()}); ${KEEP}.`,
    { reason: 'unreadable' },
  );
}

/** A regular file to read (followed through a link already checked): a refusal when it is not a regular file or cannot be read. */
function fileProblem(file: string, st: fs.Stats): InputError | undefined {
  if (!st.isFile()) {
    return new InputError(
      `"${file}" is not a regular file (a named pipe, socket or device) and was not read. Remove it from the inbox and deliver the export as a file; ${KEEP}.`,
      { reason: 'not_a_file' },
    );
  }
  const denied = accessProblem(file, fs.constants.R_OK);
  if (!denied) return undefined;
  return new InputError(
    `Cannot read "${file}": permission denied for the user recon runs as (${runningUser()}). Let that user read it (chmod o+r, or the file's group); it is read on the next run, and ${KEEP}.`,
    { reason: 'unreadable' },
  );
}

/**
 * Why a symbolic link is not read, or undefined when its real path is a regular file inside
 * the inbox. The target is never opened to decide, and nothing of it (not even its path) goes
 * into the message: the message lands in the manifest, run.json and the ledger.
 * `folderLike`: the link is or may be to a folder (refused whatever its name).
 */
function linkProblem(link: string, root: string): { refusal: InputError; folderLike: boolean } | undefined {
  const refuse = (what: string, reason: string, folderLike: boolean): { refusal: InputError; folderLike: boolean } => ({
    refusal: new InputError(
      `"${link}" is a symbolic link ${what}. recon reads only regular files inside the inbox (and links to them) and did not follow it. Replace the link with a copy of the file itself, or remove it; ${KEEP}.`,
      { reason },
    ),
    folderLike,
  });
  let real: string;
  try {
    real = fs.realpathSync(link);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return refuse('that loops (it leads back to itself)', 'link_loop', true);
    if (code === 'ENOENT' || code === 'ENOTDIR') return refuse('whose target does not exist (a broken link)', 'link_broken', true);
    return refuse(`that cannot be resolved (${code ?? 'error'})`, 'link_unreadable', true);
  }
  const rel = path.relative(root, real);
  const inside = rel !== '' && !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel);
  let st: fs.Stats;
  try {
    st = fs.statSync(real);
  } catch (error) {
    return refuse(`that cannot be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'link_unreadable', true);
  }
  if (st.isDirectory()) return refuse('to a folder (links to folders are not followed)', 'link_folder', true);
  if (!inside) return refuse('that leads out of the inbox', 'link_outside', false);
  if (!st.isFile()) return refuse('to something that is not a regular file', 'not_a_file', false);
  return undefined;
}

/** The kind a pipeline's glob mapping gives a file, if any. */
export function kindFromGlobs(file: string, root: string, mapping: Array<{ glob: string; kind: Kind }>): Kind | undefined {
  const rel = path.relative(root, file).split(path.sep).join('/');
  for (const { glob, kind } of mapping) {
    if (picomatch(glob, { nocase: true })(rel) || picomatch(glob, { nocase: true, basename: true })(rel)) return kind;
  }
  return undefined;
}

/** What to load: the files (with a kind when a glob or flag names it), and the analyst's overrides. */
export interface IngestRequest {
  files: Array<{ file: string; kind?: Kind; refusal?: InputError }>;
  /** The inbox the files were walked in: each is checked again right before it is read (recheckEntry). */
  inbox?: string;
  /** Forces the as-of date of every file (`recon ingest --as-of`). */
  asOf?: string;
  /** Loads a snapshot even when it is far smaller than the current one (`--force`). */
  force?: boolean;
  /** Called as files load, for a progress bar. */
  onProgress?: (done: number, total: number, file: string) => void;
}

/** Loads files one after the other; a refused file is reported and the others still load. */
export async function ingestFiles(db: Db, ctx: RunContext, request: IngestRequest): Promise<IngestSummary> {
  const { pipeline } = ctx;
  const options: Omit<LoadOptions, 'kind'> = {
    runId: ctx.runId,
    defaultAsOf: pipeline.asOf ?? today(ctx.startedAt),
    minSnapshotRatio: pipeline.ingest.minSnapshotRatio,
    workDir: scratchDir(pipeline.workDir, ctx.runId),
    logger: ctx.logger,
    ...(pipeline.ingest.sheet ? { sheet: pipeline.ingest.sheet } : {}),
    ...(request.asOf ? { asOf: request.asOf } : {}),
    ...(request.force ? { force: true } : {}),
  };
  const results: LoadResult[] = [];
  const { files, onProgress } = request;
  for (const [i, { file, kind, refusal }] of files.entries()) {
    onProgress?.(i, files.length, file);
    const problem = refusal ?? (request.inbox ? recheckEntry(file, request.inbox) : undefined);
    if (problem) results.push(await refuseEntry(db, file, options, problem));
    else results.push(await loadFile(db, file, { ...options, ...(kind ? { kind } : {}) }));
  }
  onProgress?.(files.length, files.length, '');
  return summarise(results);
}

/**
 * The inbox's entries for a run: every included file but returned worklists (`feedback/`),
 * each with the kind a glob names, and the entries refused before reading (walkInbox).
 */
export function inboxFiles(ctx: RunContext): Array<{ file: string; kind?: Kind; refusal?: InputError }> {
  const { inbox, ingest, kinds } = ctx.pipeline;
  return walkInbox(inbox, ingest.include, ['feedback/**']).map(({ file, refusal }) => {
    if (refusal) return { file, refusal };
    const kind = kindFromGlobs(file, inbox, kinds);
    return kind ? { file, kind } : { file };
  });
}

/**
 * A run's scratch folder, `<work_dir>/recon-<run>`: converted and transcoded copies, and the
 * temporary files of the libraries it uses (TMPDIR points here while a Workspace is open), so
 * a full /tmp cannot refuse good files. The Workspace makes it, removes it at the end, and
 * removes the ones killed runs of the same database left.
 */
export function scratchDir(workDir: string, runId: string): string {
  return path.join(workDir, `recon-${runId}`);
}

/** Totals per kind and overall. */
export function summarise(results: LoadResult[]): IngestSummary {
  const byKind = Object.fromEntries(KINDS.map((k) => [k, { files: 0, rowsLoaded: 0, rowsRejected: 0 }])) as Record<Kind, KindTally>;
  let rowsLoaded = 0;
  let rowsRejected = 0;
  for (const r of results) {
    if (r.status !== 'loaded') continue;
    const t = byKind[r.kind];
    t.files++;
    t.rowsLoaded += r.rowsLoaded;
    t.rowsRejected += r.rowsRejected;
    rowsLoaded += r.rowsLoaded;
    rowsRejected += r.rowsRejected;
  }
  return {
    results,
    byKind,
    loaded: results.filter((r) => r.status === 'loaded').length,
    duplicates: results.filter((r) => r.status === 'duplicate').length,
    refused: results.filter((r) => r.status === 'refused').length,
    rowsLoaded,
    rowsRejected,
  };
}
