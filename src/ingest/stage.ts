import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { Db } from '../db/database.ts';
import type { RunContext } from '../config/context.ts';
import { today } from '../core/clock.ts';
import type { Kind } from '../sources/index.ts';
import { KINDS } from '../sources/index.ts';
import { InputError } from '../core/errors.ts';
import { loadFile, type LoadResult, type LoadOptions } from './load.ts';

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

/** Lists the inbox files matching `include`, sorted by path so runs are repeatable. */
export function listInbox(inbox: string, include: string[], exclude: string[] = []): string[] {
  if (!fs.existsSync(inbox)) {
    throw new InputError(`The inbox folder "${inbox}" does not exist. Create it, or set "inbox" in the pipeline file or --inbox.`);
  }
  const isMatch = picomatch(include, { nocase: true, dot: false, ...(exclude.length ? { ignore: exclude } : {}) });
  return (fs.readdirSync(inbox, { recursive: true, encoding: 'utf8' }) as string[])
    .map((rel) => rel.split(path.sep).join('/'))
    .filter((rel) => isMatch(rel) && fs.statSync(path.join(inbox, rel)).isFile())
    .sort()
    .map((rel) => path.join(inbox, rel));
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
  files: Array<{ file: string; kind?: Kind }>;
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
    workDir: pipeline.workDir,
    logger: ctx.logger,
    ...(pipeline.ingest.sheet ? { sheet: pipeline.ingest.sheet } : {}),
    ...(request.asOf ? { asOf: request.asOf } : {}),
    ...(request.force ? { force: true } : {}),
  };
  const results: LoadResult[] = [];
  const { files, onProgress } = request;
  for (const [i, { file, kind }] of files.entries()) {
    onProgress?.(i, files.length, file);
    results.push(await loadFile(db, file, { ...options, ...(kind ? { kind } : {}) }));
  }
  onProgress?.(files.length, files.length, '');
  return summarise(results);
}

/** The inbox's files for a run: every included file but returned worklists (`feedback/`), each with the kind a glob names. */
export function inboxFiles(ctx: RunContext): Array<{ file: string; kind?: Kind }> {
  const { inbox, ingest, kinds } = ctx.pipeline;
  return listInbox(inbox, ingest.include, ['feedback/**']).map((file) => {
    const kind = kindFromGlobs(file, inbox, kinds);
    return kind ? { file, kind } : { file };
  });
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
