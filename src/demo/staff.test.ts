import { describe, expect, it } from 'vitest';
import { demoUsers, DEMO_PASSWORD, EXT, generateDemoCounty } from './index';
import { ORGANIZATIONS } from './organizations';

describe('demo users', () => {
  const directory = generateDemoCounty({ people: 1 }).bundles[0].entry.map((e) => e.resource);
  const find = (ref: string) => directory.find((r) => `${r.resourceType}/${r.id}` === ref);

  it('has unique usernames and e-mail addresses and the documented password', () => {
    expect(new Set(demoUsers.map((u) => u.username)).size).toBe(demoUsers.length);
    expect(new Set(demoUsers.map((u) => u.email)).size).toBe(demoUsers.length);
    for (const u of demoUsers) {
      expect(u.password).toBe(DEMO_PASSWORD);
      expect(u.username).toMatch(/^[a-z]+\.[a-z]+$/);
      expect(u.email).toMatch(/^[a-z.]+@[a-z.-]+\.example\.org$/);
    }
  });

  it('gives every organization a view-only, an exchange and an edit user, plus one administrator and one data steward', () => {
    for (const org of ORGANIZATIONS) {
      // Plain staff (no administrator or steward role) at each level: the county agency included.
      const levels = demoUsers
        .filter((u) => u.organization === `Organization/${org.id}` && u.role === 'staff')
        .map((u) => u.accessLevel);
      expect(new Set(levels), org.id).toEqual(new Set(['view-only', 'exchange', 'edit']));
    }
    expect(demoUsers.find((u) => u.username === 'hhsa.edit')).toMatchObject({
      organization: 'Organization/alder-hhsa',
      accessLevel: 'edit',
      role: 'staff',
    });
    expect(demoUsers.filter((u) => u.role === 'administrator').map((u) => u.username)).toEqual([
      'hhsa.admin',
    ]);
    expect(demoUsers.filter((u) => u.role === 'data-steward').map((u) => u.username)).toEqual([
      'hhsa.steward',
    ]);
  });

  it('backs every user with a Practitioner and a PractitionerRole carrying the same organization and access level', () => {
    for (const u of demoUsers) {
      const practitioner = find(u.practitioner);
      const role = find(u.practitionerRole);
      expect(practitioner, u.username).toBeDefined();
      expect(role, u.username).toBeDefined();
      expect((role!.organization as { reference: string }).reference).toBe(u.organization);
      expect((role!.practitioner as { reference: string }).reference).toBe(u.practitioner);
      const level = (role!.extension as { url: string; valueCoding: { code: string } }[]).find(
        (e) => e.url === EXT.accessLevel,
      );
      expect(level?.valueCoding.code).toBe(u.accessLevel);
      const roleCodes = (role!.code as { coding: { code: string }[] }[]).flatMap((c) =>
        c.coding.map((x) => x.code),
      );
      expect(roleCodes).toContain(u.jobRole);
      if (u.role !== 'staff') expect(roleCodes).toContain(u.role);
      const username = (practitioner!.identifier as { value: string }[])[0].value;
      expect(username).toBe(u.username);
    }
  });
});
