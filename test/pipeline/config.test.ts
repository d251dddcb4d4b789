import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { loadPipeline, pipelineJsonSchema } from '../../src/config/pipeline-file.ts';
import { resolveRules } from '../../src/rules/runner.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { tempDir } from '../helpers.ts';

describe('pipeline files', () => {
  it('the bundled pipeline parses, with paths resolved against its own folder', () => {
    const p = loadPipeline('pipelines/nightly.yaml');
    expect(p.inbox).toBe(path.resolve('fixtures/inbox'));
    expect(p.database).toBe(path.resolve('data/recon.duckdb'));
    expect(p.rules.lagDays).toBe(15);
    expect(p.ingest.minSnapshotRatio).toBe(0.5);
  });

  it('the committed JSON Schema is the one the zod schema generates (run npm run schema after a change)', () => {
    const committed = JSON.parse(fs.readFileSync('pipelines/pipeline.schema.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(pipelineJsonSchema())));
  });

  it('reports every problem of a pipeline file at once, naming the field and the file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'inbox: in\ndatabase: db\noutput: out\ninbx: typo\ningest: { min_snapshot_ratio: 2 }\nrules: { lag_days: -1 }\n');
    let error: unknown;
    try {
      loadPipeline(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toContain('3 problem(s)');
    expect(message).toContain('inbx');
    expect(message).toContain('ingest.min_snapshot_ratio');
    expect(message).toContain('rules.lag_days');
  });

  it('flags override the file; a bad --as-of is a configuration error', () => {
    const p = loadPipeline('pipelines/nightly.yaml', { inbox: 'x', asOf: '2026-10-31' });
    expect(p.inbox).toBe(path.resolve('x'));
    expect(p.asOf).toBe('2026-10-31');
    expect(() => loadPipeline('pipelines/nightly.yaml', { asOf: '31/10/2026' })).toThrow(ConfigError);
    // Dates are calendar days, checked at the edge (before any lock is taken).
    for (const bad of ['2026-13-01', '2026-02-30', '', '2026-1-5'])
      expect(() => loadPipeline('pipelines/nightly.yaml', { asOf: bad }), bad).toThrow(/--as-of must be a date/);
    expect(loadPipeline('pipelines/nightly.yaml', { asOf: '2024-02-29' }).asOf).toBe('2024-02-29');
  });

  it('a custom SQL rule from pipelines/ joins the catalog; a bad one is reported with the others', () => {
    const p = loadPipeline('pipelines/nightly.yaml');
    const rules = resolveRules({
      ...p.rules,
      custom: [
        { id: 'large_uninsured', title: '大型单位未参保', description: '', file: path.resolve('pipelines/rules/large_uninsured.sql'), exemptWhenClosed: true },
      ],
    });
    const custom = rules.find((r) => r.rule.id === 'large_uninsured');
    expect(custom?.custom).toBe(true);
    expect(custom?.rule.sql).toContain('hw >= 50');
    expect(() =>
      resolveRules({
        ...p.rules,
        disabled: ['nope'],
        custom: [{ id: 'uninsured', title: 'x', description: '', file: path.resolve('pipelines/missing.sql'), exemptWhenClosed: true }],
      }),
    ).toThrow(/3 problem\(s\)[\s\S]*cannot read[\s\S]*built-in rule has this id[\s\S]*no rule "nope"/);
  });
});
