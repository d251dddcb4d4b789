import path from 'node:path';

/** The output formats of `recon query` (a module of its own so the command loads fast: no arrow or exceljs). */
export const EXPORT_FORMATS = ['table', 'csv', 'jsonl', 'json', 'parquet', 'arrow', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The file name endings of each format; `recon query -o FILE` takes the format from them. */
export const FORMAT_EXTENSIONS: Record<ExportFormat, readonly string[]> = {
  table: ['.txt'],
  csv: ['.csv'],
  jsonl: ['.jsonl', '.ndjson'],
  json: ['.json'],
  parquet: ['.parquet'],
  arrow: ['.arrow', '.feather'],
  xlsx: ['.xlsx'],
};

/** The format a file name's ending stands for, or undefined for an ending no format has. */
export function formatOfFile(file: string): ExportFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  return EXPORT_FORMATS.find((f) => FORMAT_EXTENSIONS[f].includes(ext));
}
