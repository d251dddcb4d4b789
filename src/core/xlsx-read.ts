import fs from 'node:fs';
import { InputError, errorMessage } from './errors.ts';

/** Text of one cell as a person sees it; dates as YYYY-MM-DD. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // exceljs builds dates in UTC from the serial number: read them back in UTC.
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: unknown };
    if (v.richText) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    if (v.error !== undefined) return '';
    return String(value);
  }
  return String(value);
}

/**
 * Runs `read` over a workbook read elsewhere (returned worklists), with the same guards as
 * ingest: a zip without its directory is refused at once, a read that has not finished after
 * `timeoutMs` is abandoned (a damaged zip can stall exceljs for ever), and any other failure of
 * the reader becomes an InputError naming the file.
 */
export async function guardWorkbookRead<T>(file: string, read: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  checkZipDirectory(file);
  let timer: NodeJS.Timeout | undefined;
  const reading = read();
  reading.catch(() => undefined); // after a timeout it may settle later, or never
  try {
    return await Promise.race([
      reading,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the workbook reader did not finish in ${Math.round(timeoutMs / 1000)} s (a damaged zip)`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `Cannot read workbook "${file}": ${errorMessage(error)}. The file may be damaged or truncated: open it in Excel or WPS, save it again as .xlsx, and retry.`,
      { reason: 'bad_xlsx' },
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A zip ends with its central directory (the end record, `PK 05 06`, in the last 64 KB): a file
 * without one was cut off or damaged, and is refused at once instead of fed to the stream reader.
 */
export function checkZipDirectory(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(length);
    fs.readSync(fd, tail, 0, length, size - length);
    const at = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    // The end record names where the directory starts and how long it is: both must fit the file.
    const ok = at >= 0 && at + 22 <= length && tail.readUInt32LE(at + 16) + tail.readUInt32LE(at + 12) <= size - length + at;
    if (!ok) {
      throw new InputError(
        `Cannot read workbook "${file}": it has no intact zip directory at its end, so it was cut off (an incomplete download or copy) or damaged. Export or copy it again, open it in Excel or WPS to check it, and deliver it again.`,
        { reason: 'bad_xlsx' },
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}
