import { describe, expect, it } from 'vitest';
import { readStoredChoice, resolveActing, type ActingChoices } from './acting-choice';

const county = { reference: 'Organization/county', name: 'County' };
const shelter = { reference: 'Organization/shelter', name: 'Shelter' };
const foodBank = { reference: 'Organization/food-bank', name: 'Food bank' };

describe('the acting organization', () => {
  const worker: ActingChoices = { any: false, organizations: [county] };
  const dual: ActingChoices = { any: false, organizations: [county, shelter] };
  const admin: ActingChoices = { any: true, organizations: [] };

  it("is the signed-in user's organization, whatever was stored in the browser", () => {
    expect(resolveActing(worker, undefined)).toEqual(county);
    expect(resolveActing(worker, foodBank)).toEqual(county);
  });

  it('is one of their organizations for a person with several, the stored one when it is theirs', () => {
    expect(resolveActing(dual, undefined)).toEqual(county);
    expect(resolveActing(dual, { ...shelter, name: 'old name' })).toEqual(shelter);
    expect(resolveActing(dual, foodBank)).toEqual(county);
  });

  it('is any organization an administrator picks; none until they pick', () => {
    expect(resolveActing(admin, undefined)).toBeUndefined();
    expect(resolveActing(admin, foodBank)).toEqual(foodBank);
    expect(resolveActing({ any: true, organizations: [county] }, undefined)).toEqual(county);
  });

  it('is nothing until the server has answered', () => {
    expect(resolveActing(undefined, county)).toBeUndefined();
  });

  it('reads only well-formed stored picks', () => {
    expect(readStoredChoice(JSON.stringify(county))).toEqual(county);
    expect(readStoredChoice('{"reference":"Patient/1","name":"x"}')).toBeUndefined();
    expect(readStoredChoice('not json')).toBeUndefined();
    expect(readStoredChoice(null)).toBeUndefined();
  });
});
