import { Command } from 'commander';
import { DEFAULT_PIPELINE } from './run.ts';

/** `recon tables [table]`: the published tables and views and their columns, in Chinese and English. */
export function tablesCommand(): Command {
  return new Command('tables')
    .description("Describe the published tables and views (or one's columns) in Chinese and English")
    .argument('[table]', 'a table or view to describe column by column')
    .option('--pipeline <file>', 'pipeline file giving the database', DEFAULT_PIPELINE)
    .option('--db <file>', 'database file (overrides the pipeline file)')
    .action(async (table: string | undefined, opts: { pipeline: string; db?: string }) => {
      const [{ withPublishedDb }, { TABLE_DOCS, columnDoc }, { textTable }, { ConfigError }] = await Promise.all([
        import('./published.ts'),
        import('../db/catalog.ts'),
        import('./text-table.ts'),
        import('../core/errors.ts'),
      ]);
      await withPublishedDb(opts, async (db) => {
        const objects = await db.all<{ table_name: string; table_type: string }>(
          `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name`,
        );
        const kindOf = (type: string): string => (type === 'VIEW' ? '视图' : '表');
        if (!table) {
          const rows = objects.map((o) => ({
            table: o.table_name,
            kind: kindOf(o.table_type),
            zh: TABLE_DOCS[o.table_name]?.zh ?? '',
            en: TABLE_DOCS[o.table_name]?.en ?? '',
          }));
          process.stdout.write(
            `${textTable(
              [
                { key: 'table', header: 'table' },
                { key: 'kind', header: '类型' },
                { key: 'zh', header: '中文', max: 30, wrap: true },
                { key: 'en', header: 'description', fill: true },
              ],
              rows,
            )}\n${objects.length} tables and views. recon tables <table> describes its columns.\n`,
          );
          return;
        }
        const found = objects.find((o) => o.table_name === table);
        if (!found) throw new ConfigError(`No table or view "${table}". recon tables lists them.`);
        const columns = await db.all<{ column_name: string; data_type: string }>(
          `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        );
        const doc = TABLE_DOCS[table];
        const rows = columns.map((c) => ({
          column: c.column_name,
          type: c.data_type,
          zh: columnDoc(table, c.column_name)?.[0] ?? '',
          meaning: columnDoc(table, c.column_name)?.[1] ?? '',
        }));
        process.stdout.write(
          `${table} (${kindOf(found.table_type)}): ${doc?.zh ?? ''} — ${doc?.en ?? ''}\n\n` +
            textTable(
              [
                { key: 'column', header: 'column' },
                { key: 'type', header: 'type', max: 24 },
                { key: 'zh', header: '中文', max: 24, wrap: true },
                { key: 'meaning', header: 'meaning', fill: true },
              ],
              rows,
            ),
        );
      });
    });
}
