import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, errorMessage } from '../core/errors.ts';

/**
 * The database's secret key, for keyed hashes (HMAC-SHA256) of personal codes in exports that
 * need a join key without the ID number (/work/shared/EXPORTS.md, "Personal data"). It lives
 * beside the database as `<database>.key`, readable by the service account alone (0600), and
 * is created on first use: 32 random bytes, hex. Keep it with the database's backups: a new
 * key gives every pseudonym a new value, so exports made before and after no longer join.
 */
export function keyFile(database: string): string {
  return `${path.resolve(database)}.key`;
}

const KEY_TEXT = /^[0-9a-f]{64}$/;

/** The key of a database, created (0600) when it has none yet. */
export function databaseKey(database: string): Buffer {
  const file = keyFile(database);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // 'wx': two processes starting at once cannot both create it; the second reads the first's.
    fs.writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ConfigError(`Cannot create the key file ${file}: ${errorMessage(error)}. Check that the database's folder is writable.`);
    }
  }
  let text: string;
  try {
    const stat = fs.statSync(file);
    // Readable by others: tighten it (a copy restored without its mode, say) rather than use it as it is.
    if ((stat.mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(`Cannot read the key file ${file}: ${errorMessage(error)}. Run recon as the account that owns the database.`);
  }
  if (!KEY_TEXT.test(text)) {
    throw new ConfigError(`The key file ${file} is damaged (it must hold 64 hexadecimal characters). Restore it from the database's backup.`);
  }
  return Buffer.from(text, 'hex');
}
