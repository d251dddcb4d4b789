import fs from 'node:fs';
import { Command } from 'commander';
import type { ResolvedRule } from '../rules/runner.ts';
import { DEFAULT_PIPELINE } from './run.ts';

/** The rules a pipeline file runs (the defaults when there is no such file). */
async function rulesOf(pipelineFile: string): Promise<ResolvedRule[]> {
  const [{ resolveRules }, { DEFAULT_RULES_CONFIG, loadPipeline }] = await Promise.all([import('../rules/runner.ts'), import('../config/pipeline-file.ts')]);
  if (!fs.existsSync(pipelineFile)) return resolveRules(DEFAULT_RULES_CONFIG);
  return resolveRules(loadPipeline(pipelineFile).rules);
}

/** `recon rules`: the rule catalog with its parameters; `recon rules explain <id>`: one rule in full. */
export function rulesCommand(): Command {
  const command = new Command('rules')
    .description('List the rules the pipeline runs, with their parameters in force')
    .option('--pipeline <file>', 'pipeline file (its overrides, disabled and custom rules)', DEFAULT_PIPELINE)
    .action(async (opts: { pipeline: string }) => {
      const [rules, { textTable }] = await Promise.all([rulesOf(opts.pipeline), import('./text-table.ts')]);
      const rows = rules.map(({ rule, values, custom }) => ({
        id: rule.id,
        title: `${rule.title}${custom ? '（自定义）' : ''}`,
        version: `v${rule.version}`,
        params: Object.entries(values)
          .map(([n, v]) => `${n}=${v}`)
          .join(', '),
      }));
      process.stdout.write(
        `${textTable(
          [
            { key: 'id', header: 'rule' },
            { key: 'title', header: '名称' },
            { key: 'version', header: 'version' },
            { key: 'params', header: 'parameters in force', fill: true },
          ],
          rows,
        )}\nrecon rules explain <rule> prints its definition and SQL.\n`,
      );
    });
  command
    .command('explain')
    .description("Print one rule's definition, parameters, amount formula and SQL")
    .argument('<id>', 'rule id, e.g. under_enrolled')
    .option('--pipeline <file>', 'pipeline file', DEFAULT_PIPELINE)
    .action(async (id: string, opts: { pipeline: string }) => {
      const [rules, { ConfigError }] = await Promise.all([rulesOf(opts.pipeline), import('../core/errors.ts')]);
      const found = rules.find((r) => r.rule.id === id);
      if (!found) throw new ConfigError(`No rule "${id}". Rules: ${rules.map((r) => r.rule.id).join(', ')}`);
      const { rule, values } = found;
      let out = `${rule.id} — ${rule.title} (version ${rule.version})\n\n${rule.description}\n\n`;
      out += `Parameters (in force; change them under rules.params.${rule.id} in the pipeline file):\n`;
      for (const [name, spec] of Object.entries(rule.params)) {
        out += `  ${name} = ${values[name]} (default ${spec.default}): ${spec.description}\n`;
      }
      if (Object.keys(rule.params).length === 0) out += '  (none)\n';
      out += `\nExempt when closed, revoked or moved out: ${rule.exemptWhenClosed ? 'yes' : 'no'}\nAmount: ${rule.amountFormula}\n`;
      out += `Reads: ${rule.requires.join(', ') || '(declared by the SQL)'}\n\nSQL:\n${rule.sql}\n`;
      process.stdout.write(out);
    });
  return command;
}
