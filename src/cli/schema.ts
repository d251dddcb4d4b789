import fs from 'node:fs';
import { Command } from 'commander';

/** `recon schema`: writes the pipeline file's JSON Schema (for editor completion). */
export function schemaCommand(): Command {
  return new Command('schema')
    .description("Print or write the JSON Schema of pipeline files, for editors' completion")
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: { out?: string }) => {
      const { pipelineJsonSchema } = await import('../config/pipeline-file.ts');
      const text = `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`;
      if (opts.out) fs.writeFileSync(opts.out, text);
      else process.stdout.write(text);
    });
}
