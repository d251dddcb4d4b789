/**
 * Fills the `{{name}}` placeholders of a campaign .sql step with SQL text built from code
 * constants (rule titles, size bands, TEMP or nothing). Values from data never go in this way:
 * they are $parameters. Throws for a placeholder without a value.
 */
export function fillSql(sql: string, values: Readonly<Record<string, string>>): string {
  return sql.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`SQL placeholder {{${name}}} has no value`);
    return value;
  });
}
