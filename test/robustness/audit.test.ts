import fs from 'node:fs';
import path from 'node:path';
import { BUILTIN_RULES } from '../../src/rules/catalog/index.ts';
import { describe, expect, it } from 'vitest';
import { workdir, FIXTURE_INBOX } from '../e2e/support.ts';
import { recon } from './support.ts';

/**
 * A night whose findings jump because a source is missing: the month's payment workbook is
 * refused (here cut off; in the red team's night, a full /tmp refused every workbook), so every
 * employer looks like a non-payer for the new closed month. With a file refused and findings up
 * by more than audit.max_findings_rise (+50%) against the last published run, the run fails its
 * audit; the same rise with nothing refused is growth and publishes.
 */
describe('findings that jump while a file was refused', () => {
  it('fail the audit (exit 1, nothing published, the refused file named); the same rise with nothing refused publishes', async () => {
    const w = workdir({ source: FIXTURE_INBOX });
    const baseline = await recon(['run', w.pipelineFile]);
    expect(baseline.code, baseline.stderr).toBe(0);
    const published = fs.realpathSync(path.join(w.output, 'latest'));

    // A month later: November's payment workbook arrives cut off.
    const bytes = fs.readFileSync(path.join(FIXTURE_INBOX, '社保费征收明细_202610.xlsx'));
    fs.writeFileSync(path.join(w.inbox, '社保费征收明细_202611.xlsx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const jump = await recon(['run', w.pipelineFile, '--as-of', '2026-11-30']);
    expect(jump.code, jump.stderr).toBe(1);
    expect(jump.stderr).toMatch(/findings rose from \d+ to \d+ against the last published run \(\S+\), more than 50%, while 1 file\(s\) were refused/);
    expect(jump.stderr).toContain('"社保费征收明细_202611.xlsx"');
    expect(jump.stderr).toContain('raise audit.max_findings_rise');
    expect(fs.realpathSync(path.join(w.output, 'latest'))).toBe(published);

    // Nothing refused: the same rise is what the data says, and it publishes.
    fs.rmSync(path.join(w.inbox, '社保费征收明细_202611.xlsx'));
    const growth = await recon(['run', w.pipelineFile, '--as-of', '2026-11-30']);
    expect(growth.code, growth.stderr).toBe(0);
    // The audit compares employer findings apart from those about people (another source).
    const employerFindings = (stdout: string): number => {
      const line = /^rules .*$/m.exec(stdout)?.[0] ?? '';
      return BUILTIN_RULES.reduce((n, r) => n + Number(new RegExp(`\\b${r.id} (\\d+)`).exec(line)?.[1] ?? 0), 0);
    };
    const was = employerFindings(baseline.stdout);
    expect(was).toBe(148);
    expect(employerFindings(growth.stdout)).toBeGreaterThan(1.5 * was);
  }, 120_000);
});
