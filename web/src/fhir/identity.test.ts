import type { Bundle, Parameters } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  assuranceText,
  formatWeight,
  GOLDEN_SOURCE_URL,
  goldenSources,
  identityAction,
  levelText,
  MATCH_EVIDENCE_URL,
  MATCH_GRADE_URL,
  matchCandidates,
  personLinks,
  reviewTasks,
} from './identity';

const evidence = {
  score: 9.5,
  decision: 'match',
  fields: [
    { field: 'given', level: 'nickname', weight: 4.2, tfAdjustment: 0 },
    { field: 'ssn', level: 'missing', weight: 0, tfAdjustment: 0 },
  ],
};

describe('identity answers', () => {
  it('reads $match candidates with grade, probability and evidence', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        {
          resource: { resourceType: 'Patient', id: 'p1' },
          search: {
            mode: 'match',
            score: 0.998,
            extension: [
              { url: MATCH_GRADE_URL, valueCode: 'certain' },
              { url: MATCH_EVIDENCE_URL, valueString: JSON.stringify(evidence) },
            ],
          },
        },
        { resource: { resourceType: 'Patient', id: 'p2' }, search: { mode: 'match' } },
      ],
    };
    const [a, b] = matchCandidates(bundle);
    expect(a.grade).toBe('certain');
    expect(a.probability).toBe(0.998);
    expect(a.evidence?.fields[0]).toMatchObject({ field: 'given', level: 'nickname', weight: 4.2 });
    expect(b).toMatchObject({ grade: 'possible', evidence: undefined });
  });

  it('reads review tasks and action results', () => {
    const params: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'task',
          part: [
            { name: 'id', valueInteger: 7 },
            { name: 'patient', valueReference: { reference: 'Patient/a' } },
            { name: 'candidate', valueReference: { reference: 'Patient/b' } },
            { name: 'candidatePerson', valueReference: { reference: 'Person/x' } },
            { name: 'score', valueDecimal: 3.25 },
            { name: 'evidence', valueString: JSON.stringify(evidence) },
          ],
        },
      ],
    };
    expect(reviewTasks(params)).toEqual([
      {
        id: 7,
        patientId: 'a',
        candidatePatientId: 'b',
        candidatePersonId: 'x',
        score: 3.25,
        evidence: { score: 9.5, decision: 'match', hardRule: undefined, fields: evidence.fields },
        created: undefined,
      },
    ]);
    expect(
      identityAction({
        resourceType: 'Parameters',
        parameter: [
          { name: 'action', valueInteger: 12 },
          { name: 'person', valueReference: { reference: 'Person/x' } },
          { name: 'person', valueReference: { reference: 'Person/y' } },
        ],
      }),
    ).toEqual({ actionId: 12, persons: ['x', 'y'] });
  });

  it('reads a Person with its included linked records', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        {
          resource: {
            resourceType: 'Person',
            id: 'x',
            link: [
              { target: { reference: 'Patient/a' }, assurance: 'level4' },
              { target: { reference: 'Patient/b' }, assurance: 'level3' },
            ],
          },
          search: { mode: 'match' },
        },
        {
          resource: { resourceType: 'Patient', id: 'b', birthDate: '1990-01-01' },
          search: { mode: 'include' },
        },
      ],
    };
    const links = personLinks(bundle);
    expect(links?.person.id).toBe('x');
    expect(links?.records.map((r) => [r.patientId, r.assurance, r.patient?.birthDate])).toEqual([
      ['a', 'level4', undefined],
      ['b', 'level3', '1990-01-01'],
    ]);
    expect(personLinks({ resourceType: 'Bundle', type: 'searchset' })).toBeUndefined();
  });

  it('words levels, weights and assurance for people', () => {
    expect(assuranceText('level2', true)).toBe('Own record; a possible match awaits review');
    expect(assuranceText('level1', false)).toBe('First record of this person');
    expect(assuranceText('level4', false)).toBe('Confirmed by a data steward');
    expect(levelText('nickname')).toBe('Nickname of each other');
    expect(levelText('some-new-level')).toBe('some new level');
    expect(formatWeight(6.24)).toBe('+6.2');
    expect(formatWeight(-3)).toBe('−3.0');
    expect(formatWeight(0.01)).toBe('0');
  });

  it('reads where each golden-record value came from, skipping other extensions', () => {
    const part = (element: string, record: string, source?: string) => ({
      url: GOLDEN_SOURCE_URL,
      extension: [
        { url: 'element', valueString: element },
        { url: 'record', valueReference: { reference: `Patient/${record}` } },
        ...(source ? [{ url: 'source', valueUri: source }] : []),
        { url: 'rule', valueCode: 'complete' },
      ],
    });
    const sources = goldenSources({
      resourceType: 'Person',
      extension: [
        part('name', 'a', 'https://example.org/calsaws'),
        { url: 'https://example.org/other', valueString: 'x' },
        part('address', 'b'),
      ],
    });
    expect([...sources]).toEqual([
      ['name', { patientId: 'a', source: 'https://example.org/calsaws', rule: 'complete' }],
      ['address', { patientId: 'b', source: undefined, rule: 'complete' }],
    ]);
    expect(goldenSources({ resourceType: 'Person' }).size).toBe(0);
  });
});
