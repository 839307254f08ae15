import { describe, expect, it } from 'vitest';
import { durationText, percentText, readMetrics } from './metrics';

describe('referral metrics', () => {
  it('reads $referral-metrics groups', () => {
    const groups = readMetrics({
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'group',
          part: [
            { name: 'slice', valueCode: 'owner' },
            { name: 'owner', valueReference: { reference: 'Organization/7' } },
            { name: 'total', valueInteger: 4 },
            {
              name: 'count',
              part: [
                { name: 'status', valueCode: 'completed' },
                { name: 'n', valueInteger: 3 },
              ],
            },
            {
              name: 'count',
              part: [
                { name: 'status', valueCode: 'requested' },
                { name: 'n', valueInteger: 1 },
              ],
            },
            { name: 'median-hours-to-acceptance', valueDecimal: 2.5 },
            { name: 'closed', valueInteger: 3 },
            { name: 'closed-with-outcome', valueInteger: 2 },
            { name: 'share-closed-with-outcome', valueDecimal: 0.667 },
          ],
        },
        { name: 'other' },
      ],
    });
    expect(groups).toEqual([
      {
        slice: 'owner',
        owner: 'Organization/7',
        category: undefined,
        total: 4,
        byStatus: { completed: 3, requested: 1 },
        hoursToAcceptance: 2.5,
        hoursToCompletion: undefined,
        closed: 3,
        closedWithOutcome: 2,
        shareClosedWithOutcome: 0.667,
      },
    ]);
  });

  it('says durations and shares as people read them', () => {
    expect(durationText(undefined)).toBe('—');
    expect(durationText(0.004)).toBe('under 1 min');
    expect(durationText(0.5)).toBe('30 min');
    expect(durationText(5.25)).toBe('5.3 h');
    expect(durationText(72)).toBe('3 days');
    expect(percentText(0.667)).toBe('67%');
    expect(percentText(undefined)).toBe('—');
  });
});
