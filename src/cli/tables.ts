import { Command } from 'commander';
import { withPublishedDb } from './published.ts';
import { TABLE_DOCS } from '../db/catalog.ts';
import { formatTable } from '../publish/exports.ts';
import { ConfigError } from '../core/errors.ts';
import { DEFAULT_PIPELINE } from './run.ts';

/** `recon tables [table]`: the published tables and their columns, in Chinese and English. */
export function tablesCommand(): Command {
  return new Command('tables')
    .description("Describe the published tables (or one table's columns) in Chinese and English")
    .argument('[table]', 'a table to describe column by column')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .action(async (table: string | undefined, opts: { pipeline: string; db?: string }) => {
      await withPublishedDb(opts, async (db) => {
        const columns = await db.all<{ table_name: string; column_name: string; data_type: string }>(
          `SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`,
        );
        if (!table) {
          const names = [...new Set(columns.map((c) => c.table_name))];
          const rows = names.map((n) => ({ table: n, 中文: TABLE_DOCS[n]?.zh ?? '', description: TABLE_DOCS[n]?.en ?? '' }));
          process.stdout.write(`${formatTable(['table', '中文', 'description'], rows)}\nrecon tables <table> describes its columns.\n`);
          return;
        }
        const own = columns.filter((c) => c.table_name === table);
        if (own.length === 0) throw new ConfigError(`No table "${table}". recon tables lists them.`);
        const doc = TABLE_DOCS[table];
        const rows = own.map((c) => ({
          column: c.column_name,
          type: c.data_type,
          中文: doc?.columns[c.column_name]?.[0] ?? '',
          meaning: doc?.columns[c.column_name]?.[1] ?? '',
        }));
        process.stdout.write(`${table}: ${doc?.zh ?? ''} — ${doc?.en ?? ''}\n\n${formatTable(['column', 'type', '中文', 'meaning'], rows)}`);
      });
    });
}
