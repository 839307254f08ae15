import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalFhirPathTyped, parseFhirPath, toTypedValue, type TypedValue } from '@medplum/core';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { fixturesAvailable, fixturesDir } from '../../../test/helpers/fixtures';
import { loadDefinitions, searchParamsFor } from '../../fhir/definitions';
import { compiledPath, compilePath } from './compiled-path';

loadDefinitions();

const engine = (run: () => TypedValue[]): TypedValue[] | 'error' => {
  try {
    return run();
  } catch {
    return 'error';
  }
};

/**
 * Every search parameter of the resource's type (and each composite's components): the compiled
 * evaluator gives exactly what the FHIRPath engine gives, where the engine gives anything.
 * Returns how many expressions were compared.
 */
function compareAll(resource: Resource): number {
  const input = [toTypedValue(resource)];
  let compared = 0;
  for (const info of searchParamsFor(resource.resourceType).values()) {
    const expected = engine(() => evalFhirPathTyped(info.details.parsedExpression, input));
    if (expected === 'error') continue;
    expect(info.evaluate(input), `${resource.resourceType}.${info.code}`).toEqual(expected);
    compared++;
    for (const component of info.param.component ?? []) {
      const compiled = compilePath(parseFhirPath(component.expression as string));
      for (const base of expected) {
        const want = engine(() => evalFhirPathTyped(component.expression as string, [base]));
        if (want === 'error') continue;
        expect(compiled([base]), `${info.code} component ${component.expression}`).toEqual(want);
        compared++;
      }
    }
  }
  return compared;
}

describe('compiled search parameter expressions', () => {
  it('give what the FHIRPath engine gives, for paths, choice types, where() and unions', () => {
    const observation: Resource = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }], text: 'Blood pressure' },
      subject: { reference: 'Patient/p1' },
      performer: [
        { reference: 'Practitioner/d1' },
        { reference: 'https://elsewhere.example/fhir/Patient/x' },
      ],
      effectivePeriod: { start: '2026-01-01', end: '2026-01-02' },
      component: [
        {
          code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
          valueQuantity: { value: 120, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
        },
        {
          code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] },
          valueQuantity: { value: 80, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
        },
      ],
    };
    const patient: Resource = {
      resourceType: 'Patient',
      name: [{ family: 'Reyes', given: ['Lupe', 'María'] }],
      telecom: [
        { system: 'phone', value: '555-0100' },
        { system: 'email', value: 'lupe@example.org' },
      ],
      deceasedBoolean: false,
      address: [{ line: ['1 Main St'], city: 'Fresno', postalCode: '93701' }],
      link: [{ other: { reference: 'Patient/p2' }, type: 'seealso' }],
    };
    expect(compareAll(observation)).toBeGreaterThan(20);
    expect(compareAll(patient)).toBeGreaterThan(20);
  });

  it('find properties present only as a primitive extension or a choice, and none that are absent', () => {
    // The compiled path skips the engine's lookup when no key can hold the property (mayHold).
    const patient = {
      resourceType: 'Patient',
      _birthDate: { extension: [{ url: 'http://example.org/why-unknown', valueCode: 'asked' }] },
      deceasedDateTime: '2020-01-01',
      link: [{ other: { reference: 'Patient/p2' }, type: 'seealso' }],
    } as unknown as Resource;
    const person = {
      resourceType: 'Person',
      link: [{ target: { reference: 'Patient/p1' } }],
      _gender: { extension: [{ url: 'http://example.org/g', valueString: 'x' }] },
    } as unknown as Resource;
    expect(compareAll(patient)).toBeGreaterThan(10);
    expect(compareAll(person)).toBeGreaterThan(5);
    const birthdate = searchParamsFor('Patient').get('birthdate')!;
    expect(birthdate.evaluate([toTypedValue(patient)]).length).toBe(1);
    const deceased = searchParamsFor('Patient').get('death-date')!;
    expect(deceased.evaluate([toTypedValue(patient)]).map((v) => v.value)).toEqual(['2020-01-01']);
  });

  it('are compiled for the expressions that are plain navigation, and left to the engine otherwise', () => {
    for (const code of ['phone', 'name', 'birthdate', 'identifier', 'general-practitioner'])
      expect(
        compiledPath(searchParamsFor('Patient').get(code)!.details.parsedExpression),
        code,
      ).toBeDefined();
    for (const code of ['patient', 'value-quantity', 'combo-code', 'date'])
      expect(
        compiledPath(searchParamsFor('Observation').get(code)!.details.parsedExpression),
        code,
      ).toBeDefined();
    expect(
      compiledPath(searchParamsFor('Patient').get('deceased')!.details.parsedExpression),
    ).toBeUndefined();
    // deceased uses exists() and !=: not navigation, so the engine evaluates it, with the same result.
    const deceased = searchParamsFor('Patient').get('deceased');
    const input = [toTypedValue({ resourceType: 'Patient', deceasedDateTime: '2020-01-01' } as Resource)];
    expect(deceased?.evaluate(input)).toEqual(evalFhirPathTyped(deceased!.details.parsedExpression, input));
  });

  const folders = ['fhir-r4-examples', 'gravity-sdoh-clinicalcare', 'synthea-r4'];
  describe.skipIf(!folders.every((f) => fixturesAvailable(f)))('over the shared fixtures', () => {
    it.each(folders)('every resource in %s', (folder) => {
      let compared = 0;
      const dir = path.join(fixturesDir(), folder);
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Resource;
        const resources =
          json.resourceType === 'Bundle'
            ? ((json as Bundle).entry ?? []).map((e) => e.resource as Resource).filter(Boolean)
            : [json];
        for (const r of resources) compared += compareAll(r);
      }
      expect(compared).toBeGreaterThan(100);
    });
  });
});
