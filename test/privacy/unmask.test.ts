import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tempDir, withDb } from '../helpers.ts';
import { Db } from '../../src/db/database.ts';
import { exportQuery, EXPORT_FORMATS, FORMAT_EXTENSIONS } from '../../src/publish/exports.ts';
import { AUDIT_FILE, maskLookup, openUnmaskAudit } from '../../src/cli/unmask-audit.ts';
import { maskIdColumn } from '../../src/cli/person.ts';
import { parseLookup } from '../../src/cli/person-view.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { normaliseResidentId, residentCheckChar } from '../../src/core/resident-id.ts';

/** A valid resident ID in a plain column, a nested one, JSON and a longer text; full-width in one. */
const ID = `32050519800101123${residentCheckChar('32050519800101123')}`;
const MASKED = `320505********123${ID.slice(-1)}`;
const SELECT = `SELECT '${ID}' AS id_no, ['x', '${ID.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))}'] AS ids, '{"id":"${ID}"}'::JSON AS j, '张三，${ID}' AS note`;

const dir = tempDir('recon-unmask-');

/** Every text of a result file: a Parquet file's rows as JSON, a workbook's XML, the file otherwise. */
async function textOf(file: string): Promise<string> {
  if (file.endsWith('.parquet')) {
    const db = await Db.open(':memory:');
    try {
      return JSON.stringify(await db.allJson(`SELECT * FROM read_parquet('${file}')`));
    } finally {
      db.close();
    }
  }
  if (file.endsWith('.xlsx')) return execFileSync('unzip', ['-p', file]).toString('utf8');
  return fs.readFileSync(file).toString('utf8');
}

describe('recon query --unmask: full ID numbers in every format, masked without it', () => {
  it.each(EXPORT_FORMATS.filter((f) => f !== 'table'))('%s', async (format) => {
    for (const unmask of [false, true]) {
      const file = path.join(dir, `r-${unmask}${FORMAT_EXTENSIONS[format][0]}`);
      await withDb((db) => exportQuery(db, SELECT, format, { file, ...(unmask ? { unmask: true } : {}) }));
      const text = (await textOf(file)).normalize('NFKC');
      if (unmask) expect(text, format).toContain(ID);
      else {
        expect(text, format).not.toContain(ID);
        expect(text, format).toContain(MASKED);
      }
    }
  });
});

describe('the unmask audit log', () => {
  it('is created 0600 (an existing one tightened), gets one JSON line per use with the IDs masked, and refuses when it cannot be written', () => {
    const out = path.join(dir, 'out');
    const first = openUnmaskAudit(out);
    first.record({ command: 'query', sql: `SELECT * FROM persons WHERE id_no = '${ID}'`, rows: 1, status: 'ok' });
    const file = path.join(out, AUDIT_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    fs.chmodSync(file, 0o644);
    openUnmaskAudit(out).record({ command: 'person', lookup: '张三丰', person_keys: ['P000000001'], rows: 7, status: 'ok' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      command: 'query',
      sql: `SELECT * FROM persons WHERE id_no = '${MASKED}'`,
      rows: 1,
      status: 'ok',
      user: os.userInfo().username,
    });
    expect(lines[1]).toMatchObject({ command: 'person', lookup: '张**', person_keys: ['P000000001'], rows: 7 });
    expect(fs.readFileSync(file, 'utf8')).not.toContain(ID);
    // A folder the account cannot write: refused before anything is shown (root writes anywhere, so a file stands in for the folder).
    const blocked = path.join(dir, 'blocked');
    fs.writeFileSync(blocked, '');
    expect(() => openUnmaskAudit(blocked)).toThrow(ConfigError);
  });

  it('a lookup is logged masked: an ID 6+4, a name as its first character and stars', () => {
    expect(maskLookup(ID)).toBe(MASKED);
    expect(maskLookup('王五')).toBe('王*');
    expect(maskIdColumn('32050519801301123')).toBe('320505*******1123');
  });
});

describe('recon person lookups', () => {
  it('reads an 18-character ID, its 15-digit form, a person key, a number that fails its check, and a name', () => {
    expect(parseLookup(` ${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)} `)).toEqual({ kind: 'id', id: ID });
    const upgraded = normaliseResidentId('320505800101123');
    expect(upgraded).toMatch(/^32050519800101123[\dX]$/);
    expect(parseLookup('320505800101123')).toEqual({ kind: 'id', id: upgraded });
    expect(parseLookup('p000000042')).toEqual({ kind: 'key', key: 'P000000042' });
    expect(parseLookup(`${ID.slice(0, 17)}${ID.endsWith('0') ? '1' : '0'}`)).toMatchObject({ kind: 'invalid_id', issue: 'bad_check' });
    expect(parseLookup('320505198013011234')).toMatchObject({ kind: 'invalid_id' });
    expect(parseLookup('张伟')).toEqual({ kind: 'name', name: '张伟' });
  });
});
