import { describe, expect, it } from 'vitest';
import { inboxRow, inboxSummary } from './inbox-rows';

describe('inbox rows', () => {
  it('a referral update opens its referral and names its sender and person', () => {
    const row = inboxRow({
      read: false,
      communication: {
        resourceType: 'Communication',
        id: 'c1',
        status: 'completed',
        category: [{ coding: [{ code: 'notification' }] }],
        subject: { reference: 'Patient/p1' },
        about: [{ reference: 'Task/t1' }, { reference: 'ServiceRequest/s1' }],
        sent: '2026-11-27T10:00:00Z',
        sender: { reference: 'Organization/food-bank' },
        payload: [{ contentString: 'Referral accepted' }],
      },
    });
    expect(row).toEqual({
      id: 'c1',
      read: false,
      sent: '2026-11-27T10:00:00Z',
      text: 'Referral accepted',
      from: 'Organization/food-bank',
      fromDisplay: undefined,
      person: 'Patient/p1',
      open: { href: '/referrals/Task/t1', label: 'Open referral' },
      kind: 'Referral update',
    });
  });

  it('another message opens its person; one without an id is left out', () => {
    const row = inboxRow({
      read: true,
      communication: {
        resourceType: 'Communication',
        id: 'c2',
        status: 'completed',
        category: [{ text: 'Admission' }],
        subject: { reference: 'Patient/p2' },
      },
    });
    expect(row).toMatchObject({ text: 'Message', kind: 'Admission', open: { href: '/Patient/p2' } });
    expect(
      inboxRow({ read: false, communication: { resourceType: 'Communication', status: 'completed' } }),
    ).toBe(undefined);
  });

  it('summarises the unread count', () => {
    expect(inboxSummary(0, 0)).toBe('No messages');
    expect(inboxSummary(2, 1)).toBe('2 unread · 1 message shown');
  });
});
