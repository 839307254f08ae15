import { describe, expect, it } from 'vitest';
import defaultPolicyJson from './default-policy.json';
import { parsePolicy, validatePolicy } from './index';

describe('validatePolicy', () => {
  it('accepts the shipped default', () => {
    expect(validatePolicy(defaultPolicyJson).ok).toBe(true);
  });

  it('reports every problem with its path', () => {
    const p = structuredClone(defaultPolicyJson) as any;
    p.version = '';
    p.coveredEntity.purposesByKind.hospital = ['TREAT'];
    p.consent.unlabeledPermitCovers = 'some';
    p.restricted.labels[1].code = 'ETH';
    p.restricted.labels[2].namedRecipient = 'yes';
    p.accessLevels.exchange.write.Task = ['create', 'approve'];
    p.restrictedTypes[0].roles = ['auditor'];
    p.breakGlass.maxMinutes = 0;
    p.redactions[0].label = 'VIP';
    p.administrator.ruleId = 'Admin Ops';
    delete p.accessLevels.edit;
    const v = validatePolicy(p);
    expect(v.ok ? [] : v.errors).toEqual(
      expect.arrayContaining([
        'version: must be a non-empty string',
        'coveredEntity.purposesByKind.hospital: unknown organization kind; one of county-agency, cbo, state, health-plan, provider',
        'consent.unlabeledPermitCovers: must be "normal" or "all"',
        'restricted.labels[1].code: "ETH" is listed twice',
        'restricted.labels[2].namedRecipient: must be a boolean',
        'accessLevels.exchange.write.Task: must be a list of create, update, delete',
        'restrictedTypes[0].roles: must be a list of administrator, data-steward',
        'breakGlass.maxMinutes: must be a positive number',
        'redactions[0].label: must be a label listed in restricted.labels',
        'administrator.ruleId: must be a kebab-case rule id',
        'accessLevels.edit: must be an object',
      ]),
    );
    expect(() => parsePolicy(p)).toThrow(/Invalid access policy/);
  });
});
