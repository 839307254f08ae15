import { evalFhirPathTyped, getDataType, toTypedValue, type TypedValue } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../definitions';
import { decideNatively } from './native-invariants';

loadDefinitions();

/** What FHIRPath makes of the invariant: true, false, or 'throws'. */
function viaFhirPath(expression: string, tv: TypedValue): boolean | 'throws' {
  const root = toTypedValue(tv.value);
  try {
    const result = evalFhirPathTyped(expression, [tv], {
      '%context': tv,
      '%resource': root,
      '%rootResource': root,
    });
    return result.length === 1 && result[0].value === true;
  } catch {
    return 'throws';
  }
}

function natively(expression: string, tv: TypedValue): boolean | 'throws' | undefined {
  try {
    return decideNatively(expression, tv);
  } catch {
    return 'throws';
  }
}

const url = 'http://example.org/x';
const extensions: Record<string, unknown>[] = [
  { url, valueString: 'a' },
  { url },
  { url, extension: [{ url, valueCode: 'x' }] },
  { url, extension: [{ url, valueCode: 'x' }], valueString: 'a' },
  { url, extension: [] },
  { url, extension: [{}] },
  { url, extension: [{ url, valueString: 'x' }, null] },
  { url, extension: [{ url, valueString: 'x' }, {}] },
  { url, valueString: '' },
  { url, valueString: null },
  { url, valueQuantity: {} },
  { url, valueBoolean: false },
  { url, valueInteger: 0 },
  { url, _valueString: { id: 'a' } },
  { url, _valueString: { extension: [{ url, valueString: 'x' }] } },
  { url, valueString: 'a', _valueString: { id: 'a' } },
  { url, _valueString: 'x' },
  { url, _extension: { id: 'a' } },
  { url, value: 'x' },
  { url, valueNonsense: 'x' },
  { url, resourceType: 'extension' },
  { url, resourceType: 'value', valueString: 'a' },
];

const observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
const observations: Record<string, unknown>[] = [
  observation,
  { ...observation, valueString: 'a' },
  { ...observation, dataAbsentReason: { text: 'x' } },
  { ...observation, dataAbsentReason: { text: 'x' }, valueString: 'a' },
  { ...observation, dataAbsentReason: {}, valueString: 'a' },
  { ...observation, dataAbsentReason: { text: 'x' }, valueQuantity: {} },
  { ...observation, valueString: 'a', component: [{ code: { text: 'y' } }] },
  { ...observation, _valueString: 'x' },
  { ...observation, dataAbsentReason: { text: 'x' }, _valueString: { id: 'a' } },
  { ...observation, valueNonsense: 'x', dataAbsentReason: { text: 'x' } },
  { ...observation, componentX: 1, valueString: 'a' },
];

const contained = { resourceType: 'Patient', id: 'p', meta: { versionId: '1' } };
const patients: Record<string, unknown>[] = [
  { resourceType: 'Patient' },
  { resourceType: 'Patient', contained: [] },
  { resourceType: 'Patient', contained: [contained] },
  { resourceType: 'Patient', contained: [{ ...contained, contained: [contained] }] },
  { resourceType: 'Patient', contained: [{ ...contained, meta: { security: [{ code: 'x' }] } }] },
  { resourceType: 'Patient', contained: [{ resourceType: 'Patient', meta: { lastUpdated: 'x' } }] },
  { resourceType: 'Patient', contained: [{ resourceType: 'Patient', id: 'a' }, { resourceType: 'Basic' }] },
  { resourceType: 'Patient', contained: [{ resourceType: 'Patient', meta: {} }, {}] },
  { resourceType: 'Patient', contained: [{ resourceType: 'Nonsense', contained: [contained] }] },
  { resourceType: 'Patient', contained: [{ resourceType: 'Patient', _meta: 'x' }] },
  { resourceType: 'Patient', contained: [{ resourceType: 'Patient', contained: [{}] }] },
  { resourceType: 'Patient', _contained: [{ id: 'a' }] },
  { resourceType: 'Patient', containedX: [contained] },
];

type Outcome = boolean | 'throws';

/** Each native invariant, its owner type, the type of the values, the values, and what they must show. */
const cases: [string, string, string, Record<string, unknown>[], Outcome[]][] = [
  ['ext-1', 'Extension', 'Extension', extensions, [true, false, 'throws']],
  ['obs-6', 'Observation', 'Observation', observations, [true, false, 'throws']],
  ['obs-7', 'Observation', 'Observation', observations, [true, 'throws']],
  ['dom-2', 'Patient', 'Patient', patients, [true, false]],
  ['dom-4', 'Patient', 'Patient', patients, [true, false, 'throws']],
  ['dom-5', 'Patient', 'Patient', patients, [true, false, 'throws']],
];

describe('invariants decided without FHIRPath', () => {
  it.each(cases)(
    '%s decides as FHIRPath does, or leaves it to FHIRPath',
    (key, owner, type, values, shown) => {
      const schema = getDataType(owner);
      const constraint = [schema, ...Object.values(schema.elements)]
        .flatMap((o) => o.constraints ?? [])
        .find((c) => c.key === key);
      expect(constraint, `${key} on ${owner}`).toBeDefined();
      const expression = constraint!.expression;
      const outcomes = new Set<Outcome>();
      let left = 0;
      for (const value of values) {
        const tv = { type, value };
        const native = natively(expression, tv);
        if (native === undefined) {
          left++;
          continue;
        }
        outcomes.add(native);
        expect({ value, native }).toEqual({ value, native: viaFhirPath(expression, tv) });
      }
      // The values exercise each outcome natively, and a few are left to FHIRPath.
      expect([...outcomes].sort()).toEqual([...shown].sort());
      expect(left).toBeLessThan(values.length);
    },
  );

  it('leaves an unknown expression to FHIRPath', () => {
    expect(decideNatively('extension.exists() = value.exists()', { type: 'Extension', value: { url } })).toBe(
      undefined,
    );
  });
});
