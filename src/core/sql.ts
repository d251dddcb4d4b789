/** Quotes an identifier (table, column, schema) for DuckDB: `a"b` -> `"a""b"`. */
export function ident(name: string): string {
  if (name.length === 0) throw new Error('empty SQL identifier');
  if (name.includes('\u0000')) throw new Error('SQL identifier contains a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

/** A dotted, quoted name: `qualified('staging', 'registration')` -> `"staging"."registration"`. */
export function qualified(...parts: string[]): string {
  return parts.map(ident).join('.');
}

/**
 * A string literal, for the few places DuckDB takes no parameter (DDL such as ATTACH, or
 * struct keys of read_csv's `columns`). Values from files and flags go through parameters.
 */
export function literal(value: string): string {
  if (value.includes('\u0000')) throw new Error('SQL literal contains a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}
