import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The text of a `.sql` file beside the code that runs it: `sqlFile(new URL('./link.sql', import.meta.url))`. */
export function sqlFile(url: URL): string {
  return fs.readFileSync(url, 'utf8');
}

/**
 * The named statements of a `.sql` file, each under a `-- step: <name>` line (the name is
 * what the run log and errors call it); text before the first marker is the file's comment.
 * Returns a lookup that throws for a name the file does not have.
 */
export function sqlSteps(url: URL): (name: string) => string {
  const parts = sqlFile(url).split(/^-- step: *([\w.]+) *$/m);
  const steps = new Map<string, string>();
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] as string;
    if (steps.has(name)) throw new Error(`${fileURLToPath(url)}: step "${name}" appears twice`);
    steps.set(name, (parts[i + 1] ?? '').trim());
  }
  return (name) => {
    const sql = steps.get(name);
    if (sql === undefined) throw new Error(`${fileURLToPath(url)} has no step "${name}"`);
    return sql;
  };
}
