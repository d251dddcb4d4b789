import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellText, isDateFormatCode, readWorkbook, type CellValue } from '../../src/core/xlsx-read.ts';
import { tempDir } from '../helpers.ts';
import { SHEET_HEAD, SHEET_TAIL, workbookParts, zipBytes } from '../robustness/zip-bytes.ts';
import { expectRegistryRoundTrip, writeRegistry } from './registry-workbook.ts';

/**
 * The workbook reader (src/core/xlsx-read.ts) against files written by exceljs's streaming
 * writer, whose deflate chunks end in the middle of multi-byte characters everywhere: exceljs's
 * own streaming reader turned such characters into U+FFFD (上海培耀国际货运代理有限公司 read
 * back as 上海培耀国���货运代理有限公司). Every cell must come back as written.
 */

describe('the workbook reader: every character as written', () => {
  it('200,000 rows of Chinese names (4-byte characters, emoji; strings in the cells, rich text as inline runs) read back identical, cell for cell, through the reader and through xlsxToCsv', async () => {
    const dir = tempDir();
    const file = path.join(dir, '登记_内联.xlsx');
    await writeRegistry(file, 200_000, false);
    const { readerMs, csvMs } = await expectRegistryRoundTrip(file, 200_000);
    // Loose (a shared 2-core machine): a few seconds each when idle.
    expect(readerMs).toBeLessThan(20_000);
    expect(csvMs).toBeLessThan(20_000);
  });
});

describe('the workbook reader: cell types', () => {
  it('reads s, str, inlineStr (runs joined, phonetic runs left out), b, e, n, dates by built-in and custom format, formulas, and rows and cells with gaps', async () => {
    const dir = tempDir();
    const styles = `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
      <numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="165" formatCode="&quot;day&quot;0.00"/><numFmt numFmtId="166" formatCode="[Red]#,##0"/></numFmts>
      <cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="31"/></cellXfs></styleSheet>`;
    const shared = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">
      <si><t>上海培耀国际货运代理有限公司</t></si>
      <si><r><t>东京</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 株式会社</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>
      <si><t>line_x000D_
break</t></si></sst>`;
    const sheet = `${SHEET_HEAD}
      <row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c></row>
      <row r="3"><c r="A3" t="str"><v>&lt;公式&gt; &amp; 结果</v></c><c r="B3" t="inlineStr"><is><r><t>内联</t></r><r><t>富文本</t></r><rPh><t>ないらん</t></rPh></is></c><c r="C3" t="b"><v>1</v></c><c r="D3" t="e"><v>#N/A</v></c></row>
      <row r="4"><c r="A4"><v>45296</v></c><c r="B4" s="1"><v>45296</v></c><c r="C4" s="2"><v>45296.5</v></c><c r="D4" s="3"><v>12.5</v></c><c r="E4" s="4"><v>-3</v></c><c r="F4" s="5"><v>45296</v></c></row>
      <row r="5"><c r="A5"><f>1+1</f><v>2</v></c><c r="B5" t="str"><f>CONCAT("a","b")</f><v>ab</v></c><c r="C5"><f>SUM(X1:X9)</f></c><c r="E5" t="inlineStr"><is><t>𠀀</t></is></c></row>
      <row><c t="str"><v>没有 r 的行</v></c><c t="str"><v>和单元格</v></c></row>
    ${SHEET_TAIL}`;
    const parts = workbookParts([{ name: '数据', xml: sheet }], shared);
    parts.push({ name: 'xl/styles.xml', data: styles });
    // styles are found by convention (no relationship needed)
    const file = path.join(dir, 'types.xlsx');
    fs.writeFileSync(file, zipBytes(parts));
    const got: Array<{ number: number; cells: CellValue[] }> = [];
    await readWorkbook(file, async (wb) => {
      for await (const row of wb.rows(wb.sheets[0] as (typeof wb.sheets)[0])) got.push(row);
    });
    const day = new Date(Date.UTC(2024, 0, 5));
    expect(got).toEqual([
      { number: 1, cells: ['上海培耀国际货运代理有限公司', null, '东京 株式会社', 'line\r\nbreak'] },
      { number: 3, cells: ['<公式> & 结果', '内联富文本', true, { error: '#N/A' }] },
      { number: 4, cells: [45296, day, new Date(Date.UTC(2024, 0, 5, 12)), 12.5, -3, day] },
      { number: 5, cells: [2, 'ab', { formula: 'SUM(X1:X9)' }, null, '𠀀'] },
      { number: 6, cells: ['没有 r 的行', '和单元格'] },
    ]);
    expect(got.map((r) => r.cells.map(cellText))).toEqual([
      ['上海培耀国际货运代理有限公司', '', '东京 株式会社', 'line\r\nbreak'],
      ['<公式> & 结果', '内联富文本', 'true', ''],
      ['45296', '2024-01-05', '2024-01-05 12:00:00', '12.5', '-3', '2024-01-05'],
      ['2', 'ab', '', '', '𠀀'],
      ['没有 r 的行', '和单元格'],
    ]);
  });

  it('knows date format codes: y/m/d/h/s outside quotes, brackets and escapes', () => {
    for (const code of ['yyyy-mm-dd', 'm/d/yy h:mm', 'yyyy"年"m"月"', '[$-F800]dddd, mmmm dd, yyyy', 'hh:mm:ss', '[h]:mm', 'mm:ss.0'])
      expect(isDateFormatCode(code)).toBe(true);
    for (const code of ['General', '0.00', '#,##0_);[Red](#,##0)', '"day"0.00', '[$¥-804]#,##0.00', '0.00\\d', '@', '0%', '0.00E+00'])
      expect(isDateFormatCode(code)).toBe(false);
  });
});
