import { describe, expect, it } from 'vitest';
import { CONCEPT_MAPS, SYSTEMS } from './systems';
import { ConceptMapRegistry, defaultRegistry } from './registry';
import { bestMatch, sourceDisplay, translate, translateCoding } from './translate';
import type { ConceptMap } from './types';

const A = 'urn:test:a';
const B = 'urn:test:b';
const C = 'urn:test:c';

const map: ConceptMap = {
  resourceType: 'ConceptMap',
  url: 'urn:test:map',
  status: 'active',
  group: [
    {
      source: A,
      target: B,
      element: [
        { code: '1', display: 'one', target: [{ code: 'uno', display: 'Uno', equivalence: 'equivalent' }] },
        {
          code: '2',
          target: [
            { code: 'dos', equivalence: 'wider' },
            { code: 'deux', equivalence: 'inexact' },
          ],
        },
        { code: '3', display: 'three', target: [{ equivalence: 'unmatched' }] },
        { code: '4', target: [{ code: 'x', equivalence: 'disjoint' }] },
      ],
    },
    { source: A, target: C, element: [{ code: '1', target: [{ code: 'I', equivalence: 'equal' }] }] },
  ],
};

describe('translate ($translate semantics)', () => {
  it('returns every target of every matching group, with its equivalence and the target system', () => {
    const r = translate(map, A, '1');
    expect(r.result).toBe(true);
    expect(r.match).toEqual([
      {
        equivalence: 'equivalent',
        concept: { system: B, code: 'uno', display: 'Uno' },
        source: 'urn:test:map',
      },
      { equivalence: 'equal', concept: { system: C, code: 'I' }, source: 'urn:test:map' },
    ]);
  });

  it('restricts to one target system when asked (targetsystem parameter)', () => {
    const r = translate(map, A, '1', { targetSystem: C });
    expect(r.match.map((m) => m.concept?.code)).toEqual(['I']);
  });

  it('reports an explicitly unmatched code as a match without concept, and result false', () => {
    const r = translate(map, A, '3');
    expect(r.result).toBe(false);
    expect(r.match).toEqual([{ equivalence: 'unmatched', source: 'urn:test:map' }]);
    expect(r.message).toContain('explicitly unmatched');
  });

  it('treats disjoint as not usable', () => {
    const r = translate(map, A, '4');
    expect(r.result).toBe(false);
    expect(r.match[0]).toEqual({ equivalence: 'disjoint', source: 'urn:test:map' });
  });

  it('gives no match and a message for an unknown code or another source system', () => {
    expect(translate(map, A, '99')).toEqual({
      result: false,
      match: [],
      message: 'No mapping for urn:test:a|99 in urn:test:map',
    });
    expect(translate(map, 'urn:other', '1').match).toEqual([]);
  });

  it('searches all groups when no system is given', () => {
    expect(translate(map, undefined, '1').match).toHaveLength(2);
  });

  it('applies group.unmapped: provided echoes the code, fixed gives the catch-all, other-map continues elsewhere', () => {
    const fallback: ConceptMap = {
      resourceType: 'ConceptMap',
      url: 'urn:test:fallback',
      status: 'active',
      group: [
        {
          source: A,
          target: B,
          element: [{ code: '7', target: [{ code: 'siete', equivalence: 'equivalent' }] }],
        },
      ],
    };
    const withUnmapped = (unmapped: NonNullable<ConceptMap['group']>[0]['unmapped']): ConceptMap => ({
      resourceType: 'ConceptMap',
      url: 'urn:test:u',
      status: 'active',
      group: [{ source: A, target: B, element: [], unmapped }],
    });
    const registry = new ConceptMapRegistry([fallback]);
    expect(translate(withUnmapped({ mode: 'provided' }), A, 'Q').match[0]).toMatchObject({
      equivalence: 'equal',
      concept: { system: B, code: 'Q' },
    });
    expect(
      translate(withUnmapped({ mode: 'fixed', code: 'other', display: 'Other' }), A, 'Q').match[0],
    ).toMatchObject({
      equivalence: 'inexact',
      concept: { system: B, code: 'other', display: 'Other' },
    });
    const hop = translate(withUnmapped({ mode: 'other-map', url: 'urn:test:fallback' }), A, '7', {
      registry,
    });
    expect(hop.result).toBe(true);
    expect(hop.match[0]).toEqual({
      equivalence: 'equivalent',
      concept: { system: B, code: 'siete' },
      source: 'urn:test:fallback',
    });
  });

  it('does not loop on other-map cycles', () => {
    const loop: ConceptMap = {
      resourceType: 'ConceptMap',
      url: 'urn:test:loop',
      status: 'active',
      group: [{ source: A, target: B, element: [], unmapped: { mode: 'other-map', url: 'urn:test:loop' } }],
    };
    expect(translate(loop, A, 'x', { registry: new ConceptMapRegistry([loop]) })).toMatchObject({
      result: false,
      match: [],
    });
  });

  it('translates in reverse, inverting wider/narrower', () => {
    const r = translate(map, B, 'dos', { reverse: true });
    expect(r.match).toEqual([
      { equivalence: 'narrower', concept: { system: A, code: '2' }, source: 'urn:test:map' },
    ]);
  });

  it('bestMatch prefers the closest meaning', () => {
    expect(bestMatch(translate(map, A, '2'))).toEqual({ system: B, code: 'dos' });
    expect(bestMatch(translate(map, A, '1'))?.code).toBe('I'); // equal beats equivalent
    expect(bestMatch(translate(map, A, '3'))).toBeUndefined();
  });

  it('resolves shipped maps by canonical URL and throws on an unknown one', () => {
    expect(translateCoding(CONCEPT_MAPS.v2PatientClass, SYSTEMS.v2('0004'), 'E')).toEqual({
      system: SYSTEMS.v3ActCode,
      code: 'EMER',
      display: 'emergency',
    });
    expect(() => translate('urn:nope', A, '1')).toThrow('Unknown ConceptMap urn:nope');
  });

  it('lets a channel override a shipped map without touching the default registry', () => {
    const local: ConceptMap = {
      resourceType: 'ConceptMap',
      url: CONCEPT_MAPS.v2PatientClass,
      status: 'active',
      group: [
        {
          source: SYSTEMS.v2('0004'),
          target: SYSTEMS.v3ActCode,
          element: [{ code: 'R', target: [{ code: 'AMB', equivalence: 'wider' }] }],
        },
      ],
    };
    const registry = defaultRegistry.extend([local]);
    expect(
      translateCoding(CONCEPT_MAPS.v2PatientClass, SYSTEMS.v2('0004'), 'R', undefined, registry)?.code,
    ).toBe('AMB');
    expect(translateCoding(CONCEPT_MAPS.v2PatientClass, SYSTEMS.v2('0004'), 'R')).toBeUndefined();
  });

  it('reads source displays from a map', () => {
    expect(sourceDisplay(map, '1')).toBe('one');
    expect(sourceDisplay(CONCEPT_MAPS.hmisDestination, '24')).toBe('Deceased');
  });
});
