import { describe, expect, it } from 'vitest';
import { formatScopes, narrowScopes, parseScope, parseScopes, scopeAllows } from './scopes';

describe('SMART scopes', () => {
  it('parses v2 scopes', () => {
    expect(parseScopes('patient/*.rs user/Observation.cruds system/*.*')).toEqual([
      { context: 'patient', type: '*', ops: 'rs' },
      { context: 'user', type: 'Observation', ops: 'cruds' },
      { context: 'system', type: '*', ops: 'cruds' },
    ]);
  });

  it('translates v1 read / write / *', () => {
    expect(parseScope('user/Patient.read')).toEqual({ context: 'user', type: 'Patient', ops: 'rs' });
    expect(parseScope('patient/Observation.write')).toEqual({
      context: 'patient',
      type: 'Observation',
      ops: 'cud',
    });
    expect(parseScope('system/*.*')).toEqual({ context: 'system', type: '*', ops: 'cruds' });
  });

  it('refuses malformed scopes and letters out of order or repeated', () => {
    for (const s of [
      'user/Patient.sr',
      'user/Patient.rr',
      'user/Patient.x',
      'admin/*.rs',
      'user/patient.rs',
      'user/*.',
    ]) {
      expect(parseScope(s), s).toBeUndefined();
    }
    // A query restriction cannot be enforced yet: the scope is not granted at all rather than widened.
    expect(parseScope('patient/Observation.rs?category=laboratory')).toBeUndefined();
    expect(parseScopes('openid fhirUser launch/patient offline_access')).toEqual([]);
  });

  it('merges scopes for the same context and type', () => {
    expect(formatScopes(parseScopes('user/Patient.r user/Patient.s user/Patient.c'))).toBe(
      'user/Patient.crs',
    );
  });

  it('checks type and operation', () => {
    const caller = { scopes: parseScopes('user/Observation.rs patient/Patient.r') };
    expect(scopeAllows(caller, 'Observation', 'r')).toBe(true);
    expect(scopeAllows(caller, 'Observation', 's')).toBe(true);
    expect(scopeAllows(caller, 'Observation', 'c')).toBe(false);
    expect(scopeAllows(caller, 'Patient', 's')).toBe(false);
    expect(scopeAllows(caller, 'Condition', 'r')).toBe(false);
    expect(scopeAllows({ scopes: parseScopes('system/*.cruds') }, 'Condition', 'd')).toBe(true);
    expect(scopeAllows({ scopes: [] }, 'Patient', 'r')).toBe(false);
  });

  it('narrows requested scopes to a ceiling', () => {
    const ceiling = parseScopes('user/*.rs');
    expect(formatScopes(narrowScopes(parseScopes('user/*.cruds'), ceiling))).toBe('user/*.rs');
    // patient/ is narrower than user/, so a user may grant it; system/ is not.
    expect(formatScopes(narrowScopes(parseScopes('patient/Observation.rs system/*.rs'), ceiling))).toBe(
      'patient/Observation.rs',
    );
    // '*' under named ceilings becomes the named types.
    expect(
      formatScopes(
        narrowScopes(parseScopes('system/*.rs'), parseScopes('system/Patient.r system/Observation.cruds')),
      ),
    ).toBe('system/Patient.r system/Observation.rs');
    expect(narrowScopes(parseScopes('user/Patient.c'), ceiling)).toEqual([]);
  });
});
