import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { cellText, readWorkbook } from '../../src/core/xlsx-read.ts';
import { readWorklistFile } from '../../src/cases/worklist-reader.ts';
import { CHECKSUM_COLUMN } from '../../src/cases/worklist-layout.ts';
import { writeWorklists } from '../../src/publish/worklists.ts';
import { tempDir, testContext, withDb } from '../helpers.ts';
import { seedWorklistDb } from '../publish/seed.ts';

/**
 * A returned worklist with long Chinese names (4-byte characters, emoji) read back through our
 * reader: the protected cells must match their checksum (a name garbled by a split character,
 * as exceljs's streaming reader garbled them, would fail it and reject the grid worker's row).
 */

const WORDS = ['上海培耀国际货运代理有限公司', '𠀀𠀁𠀂', '鑫森淼焱垚', '😀🚀', '苏州工业园区', '𪚥龘', '（普通合伙）'];
const nameOf = (i: number): string => `${Array.from({ length: 2 + (i % 4) }, (_, k) => WORDS[(i + k * 3) % WORDS.length]).join('')}${i}号`;
const remarksOf = (i: number): string => `第${i}次上门：负责人不在😀，留下《告知书》𠀀，电话未接通；${WORDS[i % WORDS.length]}`;

describe('returned worklists through our reader', () => {
  it('a worklist of 600 long Chinese names, filled in and handed back, reads back with every value identical (no checksum failure)', async () => {
    await withDb(async (db) => {
      const employers = Array.from({ length: 600 }, (_, i) => ({
        id: `E${i}`,
        name: nameOf(i),
        address: `苏州市姑苏区${nameOf(i * 7)}路${i}号`,
        legalRep: ['张三', '李𠀀', '王😀'][i % 3] as string,
        findings: [{ rule: 'uninsured', severity: 'high' as const, amount: 1000 + i, text: `未参保：${nameOf(i * 3)}` }],
      }));
      const ids = await seedWorklistDb(db, employers);
      const dir = tempDir();
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
      const file = path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx');

      // The reader API: every name and address as written.
      const nameByCase = new Map(ids.map((id, i) => [id, employers[i]?.name as string]));
      const seen = await readWorkbook(file, async (wb) => {
        let n = 0;
        for (const sheet of wb.sheets.filter((s) => s.name.startsWith('清单'))) {
          let at: Map<string, number> | undefined;
          for await (const row of wb.rows(sheet)) {
            const texts = row.cells.map(cellText);
            if (!at) {
              at = new Map(texts.map((t, i) => [t, i]));
              continue;
            }
            const caseId = texts[at.get('案件编号') as number] as string;
            expect(texts[at.get('单位名称') as number]).toBe(nameByCase.get(caseId));
            n++;
          }
        }
        return n;
      });
      expect(seen).toBe(600);

      // A grid worker fills in every row (Excel, WPS: a whole-file save) and hands it back.
      const back = path.join(dir, 'back.xlsx');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const fills = new Map<string, number>();
      for (const ws of wb.worksheets.filter((w) => w.name.startsWith('清单'))) {
        const col = new Map<string, number>();
        ws.getRow(1).eachCell((c, n) => col.set(String(c.value), n));
        expect(col.has(CHECKSUM_COLUMN)).toBe(true);
        ws.eachRow((row, n) => {
          if (n === 1) return;
          const caseId = String(row.getCell(col.get('案件编号') as number).value);
          const i = ids.indexOf(caseId);
          row.getCell(col.get('核查结果') as number).value = '已督促';
          row.getCell(col.get('核查日期') as number).value = new Date(Date.UTC(2026, 10, 1 + (i % 9)));
          row.getCell(col.get('核查人') as number).value = `网格员${WORDS[i % WORDS.length]}`;
          row.getCell(col.get('备注') as number).value = remarksOf(i);
          fills.set(caseId, i);
        });
      }
      expect(fills.size).toBe(600);
      await wb.xlsx.writeFile(back);
      expect(fs.statSync(back).size).toBeGreaterThan(64 * 1024); // many inflate chunks

      const read = await readWorklistFile(back, '2026-11-10');
      expect(read).toHaveLength(600);
      for (const r of read) {
        const i = fills.get(r.caseIds[0] as string) as number;
        expect({ problem: r.problem, caseIds: r.caseIds, result: r.result, checkedOn: r.checkedOn, checker: r.checker, remarks: r.remarks }).toEqual({
          problem: undefined,
          caseIds: [ids[i]],
          result: '已督促',
          checkedOn: new Date(Date.UTC(2026, 10, 1 + (i % 9))).toISOString().slice(0, 10),
          checker: `网格员${WORDS[i % WORDS.length]}`,
          remarks: remarksOf(i),
        });
      }
    });
  });
});
