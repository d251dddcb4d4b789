import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import { bulletinData, type Bulletin } from './bulletin.ts';
import { bulletinHtml } from './bulletin-html.ts';
import { bulletinWorkbook } from './bulletin-xlsx.ts';

/** What `writeBulletin` wrote. */
export interface BulletinFiles {
  bulletin: Bulletin;
  xlsx: string;
  html: string;
}

/**
 * Writes `通报_<month>.xlsx` and `通报_<month>.html` into `dir` (each through a temporary file
 * renamed into place, so a reader never sees half a file).
 */
export async function writeBulletin(db: Db, options: { month: string; dir: string }): Promise<BulletinFiles> {
  const bulletin = await bulletinData(db, options.month);
  fs.mkdirSync(options.dir, { recursive: true });
  const base = path.join(options.dir, `通报_${bulletin.month}`);
  const xlsx = `${base}.xlsx`;
  const html = `${base}.html`;
  await bulletinWorkbook(bulletin).xlsx.writeFile(`${xlsx}.partial`);
  fs.renameSync(`${xlsx}.partial`, xlsx);
  fs.writeFileSync(`${html}.partial`, bulletinHtml(bulletin));
  fs.renameSync(`${html}.partial`, html);
  return { bulletin, xlsx, html };
}
