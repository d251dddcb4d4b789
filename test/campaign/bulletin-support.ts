import { wording, type Bulletin } from '../../src/campaign/bulletin.ts';

/** A bulletin of October 2026 with nothing but the given people and projects (the rest as a month without targets), worded. */
export function bulletinWith(parts: Partial<Pick<Bulletin, 'people' | 'projects'>>): Bulletin {
  const b: Bulletin = {
    month: '2026-10',
    year: 2026,
    runId: 'run-1',
    asOf: '2026-10-31',
    prevAsOf: null,
    hasTargets: false,
    districts: [],
    city: null,
    praised: [],
    urged: [],
    cases: [],
    casesTotal: { opened: 0, reopened: 0, resolved: 0, exempt: 0 },
    months: [],
    trend: [],
    caseTrend: [],
    people: parts.people ?? { districts: [], city: null },
    projects: parts.projects ?? { districts: [], city: null },
    paragraphs: { summary: '', praise: null, urge: null, cases: '', people: null, projects: null, method: '' },
  };
  b.paragraphs = wording(b);
  return b;
}
