import { describe, it, expect } from 'vitest';
import { closedMonth } from '../../src/config/context.ts';

// RULES.md: the closed month M is the last calendar month that ended at least lag_days before D.
describe('closedMonth', () => {
  it.each([
    ['2026-10-31', 15, '2026-09-01', 'Oct 16 is the latest day M may end on: September'],
    ['2026-10-15', 15, '2026-09-01', 'September 30 is exactly 15 days before: it counts'],
    ['2026-10-14', 15, '2026-08-01', 'September ended only 14 days before: August'],
    ['2026-10-31', 0, '2026-10-01', 'lag 0 on the last day of a month: that month'],
    ['2026-10-30', 0, '2026-09-01', 'lag 0 the day before: the month before'],
    ['2024-03-15', 15, '2024-02-01', 'February 29 of a leap year is exactly 15 days before'],
    ['2024-03-14', 15, '2024-01-01', 'February 29 is only 14 days before'],
    ['2026-01-10', 15, '2025-11-01', 'across a year end'],
  ])('D = %s, lag %i -> %s (%s)', (asOf, lag, month) => {
    expect(closedMonth(asOf, lag)).toBe(month);
  });
});
