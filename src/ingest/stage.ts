import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { Db } from '../db/database.ts';
import type { Logger } from '../core/log.ts';
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

/** Loads files one after the other; a refused file is reported and the others still load. */
export async function ingestFiles(
  db: Db,
  files: Array<{ file: string; kind?: Kind }>,
  options: Omit<LoadOptions, 'kind' | 'logger'>,
  logger: Logger,
  onProgress?: (done: number, total: number, file: string) => void,
): Promise<IngestSummary> {
  const results: LoadResult[] = [];
  for (const [i, { file, kind }] of files.entries()) {
    onProgress?.(i, files.length, file);
    results.push(await loadFile(db, file, { ...options, ...(kind ? { kind } : {}), logger }));
  }
  onProgress?.(files.length, files.length, '');
  return summarise(results);
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
