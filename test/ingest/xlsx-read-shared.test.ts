import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import { expectRegistryRoundTrip, writeRegistry } from './registry-workbook.ts';

describe('the workbook reader: shared strings', () => {
  it('100,000 rows of Chinese names in shared strings read back identical, cell for cell, through the reader and through xlsxToCsv', async () => {
    const dir = tempDir();
    const file = path.join(dir, '登记_共享字符串.xlsx');
    await writeRegistry(file, 100_000, true);
    const { readerMs, csvMs } = await expectRegistryRoundTrip(file, 100_000);
    expect(readerMs).toBeLessThan(20_000);
    expect(csvMs).toBeLessThan(20_000);
  });
});
