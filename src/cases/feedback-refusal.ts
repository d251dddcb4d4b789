import path from 'node:path';
import { errorMessage, type InputError } from '../core/errors.ts';
import { cellText, guardWorkbookRead, readWorkbook } from '../core/xlsx-read.ts';
import { CHECKSUM_COLUMN } from './worklist-layout.ts';

/**
 * Why a returned file could not be read as a worklist at all, in words for the run's warnings
 * (English) and for the 退回说明 the office sends back (Chinese). The reader only says "not a
 * worklist"; a look at the first rows of each sheet tells the usual causes apart: a title row
 * inserted above the header, the 校验码 column deleted, or another workbook altogether.
 */

export type RefusalCode = 'unreadable' | 'bad_xlsx' | 'header_moved' | 'checksum_column_missing' | 'not_worklist';

export interface Refusal {
  code: RefusalCode;
  /** For the run's warnings and the log: what failed and what to do. */
  message: string;
  /** For the grid worker (退回说明): what is wrong with the file. */
  messageZh: string;
}

/** Rows of each sheet looked at for a displaced header. */
const HEAD_ROWS = 10;

interface HeaderSeen {
  sheet: string;
  row: number;
  hasChecksum: boolean;
}

/** The first row (within HEAD_ROWS) of each sheet that has 案件编号 and 核查结果, and whether it has 校验码. */
async function headersSeen(file: string): Promise<HeaderSeen[]> {
  return readWorkbook(file, async (workbook) => {
    const seen: HeaderSeen[] = [];
    for (const info of workbook.sheets) {
      for await (const row of workbook.rows(info)) {
        if (row.number > HEAD_ROWS) break;
        const texts = new Set(row.cells.map((v) => cellText(v).trim()));
        if (texts.has('案件编号') && texts.has('核查结果')) {
          seen.push({ sheet: info.name, row: row.number, hasChecksum: texts.has(CHECKSUM_COLUMN) });
          break;
        }
      }
    }
    return seen;
  });
}

/** A refusal of a file whose bytes could not be read. */
export function unreadableRefusal(file: string, error: unknown): Refusal {
  return {
    code: 'unreadable',
    message: `Cannot read returned worklist "${file}": ${errorMessage(error)}. Check the file's permissions, or copy it into feedback/ again.`,
    messageZh: '文件无法读取（可能正在复制或没有读取权限）。',
  };
}

/** Describes why the reader refused `file` (its InputError), looking at the sheets' first rows when it says "not a worklist". */
export async function describeRefusal(file: string, error: InputError): Promise<Refusal> {
  const name = path.basename(file);
  // The reader names a reason when the workbook itself cannot be read (damaged, cut off, too big).
  if (error.details['reason'] !== undefined) {
    return {
      code: 'bad_xlsx',
      message: error.message,
      messageZh: '文件无法打开：已损坏或不完整（可能没有下载完或复制不完整）、加了密码，或不是 .xlsx 文件。',
    };
  }
  let seen: HeaderSeen[] = [];
  try {
    seen = await guardWorkbookRead(file, () => headersSeen(file), 30_000);
  } catch {
    // The reader read it far enough to say "not a worklist"; a second look failing tells nothing more.
  }
  const moved = seen.find((s) => s.row > 1 && s.hasChecksum);
  if (moved) {
    return {
      code: 'header_moved',
      message: `"${name}" was not read: in sheet ${moved.sheet} the worklist header is on row ${moved.row}, not row 1 (rows were inserted above it). Delete the inserted rows, or fill in the original worklist, and hand it back.`,
      messageZh: `工作表“${moved.sheet}”的表头在第 ${moved.row} 行，不在第 1 行：表头上方被插入了行（如标题行）。`,
    };
  }
  const noChecksum = seen.find((s) => !s.hasChecksum);
  if (noChecksum) {
    return {
      code: 'checksum_column_missing',
      message: `"${name}" was not read: sheet ${noChecksum.sheet} has no ${CHECKSUM_COLUMN} column (it was deleted), so its rows cannot be checked. Fill in the original worklist without deleting columns, and hand it back.`,
      messageZh: `工作表“${noChecksum.sheet}”缺少“${CHECKSUM_COLUMN}”列（被删除了），无法核对各行是否被改动。`,
    };
  }
  return {
    code: 'not_worklist',
    message: `"${name}" is not a worklist: no sheet has the headers 案件编号, 核查结果 and ${CHECKSUM_COLUMN} in its first row. Only returned worklists (worklists/<区县>/<街道>.xlsx, filled in) belong in feedback/: move this file elsewhere.`,
    messageZh: `这不是本系统下发的核查清单：没有一个工作表的第 1 行是清单表头（案件编号、核查结果、${CHECKSUM_COLUMN}）。`,
  };
}
