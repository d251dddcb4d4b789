import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { InputError, errorMessage } from '../core/errors.ts';
import { cellText, checkZipDirectory } from '../core/xlsx-read.ts';
import { findHeader, MAX_TITLE_ROWS, type HeaderFound } from './header.ts';
import { abandonOutput } from './decode.ts';
import type { Kind } from '../sources/index.ts';

export interface SheetAsCsv {
  sheet: string;
  header: HeaderFound;
  /** Sheet row number of the header (1-based). */
  headerRow: number;
  /** Data rows written (non-empty rows below the header). */
  rows: number;
  /** Width of the header; the CSV has one more column in front: the sheet row number. */
  width: number;
}

function csvField(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * Streams the first non-empty sheet (or the named one) of a workbook into a UTF-8 CSV for
 * read_csv, finding the header row below any title rows. The first CSV column is the sheet
 * row number, so rejects point at the row a person sees in Excel.
 */
export async function xlsxToCsv(file: string, target: string, options: { sheet?: string; kind?: Kind; idleMs?: number } = {}): Promise<SheetAsCsv> {
  checkZipDirectory(file);
  const input = fs.createReadStream(file);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
  });
  const out = fs.createWriteStream(target);
  // Some damaged zips make the streaming reader wait for bytes that never come, for ever: a
  // watchdog refuses the file when neither input nor rows have moved for `idleMs`.
  let lastProgress = Date.now();
  input.on('data', () => (lastProgress = Date.now()));
  const idleMs = options.idleMs ?? 30_000;
  let watchdog: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    watchdog = setInterval(
      () => {
        if (Date.now() - lastProgress > idleMs) reject(new Error(`the workbook reader made no progress for ${Math.round(idleMs / 1000)} s (a damaged zip)`));
      },
      Math.min(1000, idleMs),
    );
  });
  const write = async (line: string): Promise<void> => {
    lastProgress = Date.now();
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  let result: SheetAsCsv | undefined;
  const seen: string[] = [];
  const readAll = async (): Promise<void> => {
    for await (const worksheet of reader) {
      const name = (worksheet as unknown as { name?: string }).name ?? `Sheet${seen.length + 1}`;
      seen.push(name);
      const wanted = result === undefined && (options.sheet === undefined || options.sheet === name);
      const pending: Array<{ number: number; cells: string[] }> = [];
      let header: HeaderFound | undefined;
      let headerRow = 0;
      let width = 0;
      let rows = 0;
      for await (const row of worksheet) {
        if (!wanted) continue;
        // row.values is sparse (no entry for an empty cell): Array.from visits the holes too.
        const values = Array.from((row.values as unknown[]).slice(1), cellText);
        if (values.every((v) => v.trim() === '')) continue;
        if (!header) {
          pending.push({ number: row.number, cells: values });
          if (pending.length <= MAX_TITLE_ROWS) {
            try {
              header = findHeader(
                pending.map((p) => p.cells),
                file,
                options.kind,
              );
            } catch {
              continue; // not yet: the header may be further down
            }
          } else {
            header = findHeader(
              pending.map((p) => p.cells),
              file,
              options.kind,
            );
          }
          const at = pending[header.index] as { number: number; cells: string[] };
          headerRow = at.number;
          width = header.headers.length;
          await write(`${['__row', ...header.headers.map((_, i) => `c${i}`)].map(csvField).join(',')}\n`);
          for (const p of pending.slice(header.index + 1)) {
            await write(rowLine(p.number, p.cells, width));
            rows++;
          }
          continue;
        }
        await write(rowLine(row.number, values, width));
        rows++;
      }
      if (wanted && !header && pending.length > 0)
        header = findHeader(
          pending.map((p) => p.cells),
          file,
          options.kind,
        );
      if (wanted && header) result = { sheet: name, header, headerRow, rows, width };
    }
  };
  const reading = readAll();
  reading.catch(() => undefined); // after a stall it may settle later, or never: nobody waits for it
  try {
    await Promise.race([reading, stalled]);
  } catch (error) {
    input.destroy();
    await abandonOutput(out);
    if (error instanceof InputError) throw error;
    throw new InputError(
      `Cannot read workbook "${file}": ${errorMessage(error)}. The file may be damaged, truncated or password-protected: open it in Excel or WPS, save it again as .xlsx without a password, and retry.`,
      { reason: 'bad_xlsx' },
    );
  } finally {
    clearInterval(watchdog);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  if (!result) {
    const which = options.sheet ? `a sheet named "${options.sheet}" (found: ${seen.join(', ') || 'none'})` : 'a non-empty sheet';
    throw new InputError(`Workbook "${file}" has no ${which}. Check the file, or name the sheet in the pipeline file.`, { reason: 'no_sheet' });
  }
  return result;
}

/** A data row: padded to the header width; extra non-empty cells are kept so the row is rejected as too wide. */
function rowLine(rowNumber: number, cells: string[], width: number): string {
  let last = cells.length;
  while (last > width && (cells[last - 1] ?? '').trim() === '') last--;
  const padded = cells.slice(0, last);
  while (padded.length < width) padded.push('');
  return `${[String(rowNumber), ...padded].map(csvField).join(',')}\n`;
}
