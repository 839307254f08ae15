import type { Bundle } from '@medplum/fhirtypes';

/**
 * A small Open Referral HSDS 3.0 directory (tabular JSON) for the referral loop in Chromium: a food
 * bank with two services in Alder (one open every day, one only on Sunday mornings), a housing
 * agency 60 km away, and taxonomy terms under one root.
 */
const FOOD_BANK = 'a1000000-0000-4000-8000-000000000001';
const HOUSING = 'a1000000-0000-4000-8000-000000000002';
const PANTRY = 'a2000000-0000-4000-8000-000000000001';
const MEALS = 'a2000000-0000-4000-8000-000000000002';
const RENT = 'a2000000-0000-4000-8000-000000000003';
const DEPOT = 'a3000000-0000-4000-8000-000000000001';
const HALL = 'a3000000-0000-4000-8000-000000000002';
const FAR = 'a3000000-0000-4000-8000-000000000003';
const BASIC_NEEDS = 'a4000000-0000-4000-8000-000000000001';
const FOOD_PANTRY_TERM = 'a4000000-0000-4000-8000-000000000002';
const RENT_TERM = 'a4000000-0000-4000-8000-000000000003';

export const FOOD_BANK_NAME = 'Alder Community Food Bank';
export const PANTRY_NAME = 'Emergency Food Pantry';
export const MEALS_NAME = 'Sunday Community Meal';
export const RENT_NAME = 'Rental Assistance';
/** The HSDS id of the service the test marks as receiving electronic referrals. */
export const PANTRY_HSDS_ID = PANTRY;

export const HSDS_DIRECTORY = {
  'organizations.csv': [
    { id: FOOD_BANK, name: FOOD_BANK_NAME, description: 'Food for anyone in need in Alder County.' },
    { id: HOUSING, name: 'Harbor Housing Help', description: 'Keeping people housed.' },
  ],
  'services.csv': [
    {
      id: PANTRY,
      organization_id: FOOD_BANK,
      name: PANTRY_NAME,
      description: 'Groceries and emergency food boxes, no appointment needed.',
      status: 'active',
    },
    {
      id: MEALS,
      organization_id: FOOD_BANK,
      name: MEALS_NAME,
      description: 'A hot food meal every Sunday morning.',
      status: 'active',
    },
    {
      id: RENT,
      organization_id: HOUSING,
      name: RENT_NAME,
      description: 'Help with rent and deposits; also emergency food vouchers.',
      status: 'active',
    },
  ],
  'locations.csv': [
    {
      id: DEPOT,
      organization_id: FOOD_BANK,
      name: 'Food bank depot',
      location_type: 'physical',
      latitude: 40.8021,
      longitude: -124.1637,
    },
    {
      id: HALL,
      organization_id: FOOD_BANK,
      name: 'Parish hall',
      location_type: 'physical',
      latitude: 40.7762,
      longitude: -124.1823,
    },
    {
      id: FAR,
      organization_id: HOUSING,
      name: 'Harbor office',
      location_type: 'physical',
      latitude: 41.3,
      longitude: -124.0,
    },
  ],
  'addresses.csv': [
    {
      id: 'ad-1',
      location_id: DEPOT,
      address_1: '300 Harbor Way',
      city: 'Alder',
      state_province: 'CA',
      postal_code: '95501',
      country: 'US',
      address_type: 'physical',
    },
    {
      id: 'ad-2',
      location_id: HALL,
      address_1: '18 Church St',
      city: 'Alder',
      state_province: 'CA',
      postal_code: '95501',
      country: 'US',
      address_type: 'physical',
    },
    {
      id: 'ad-3',
      location_id: FAR,
      address_1: '1 Bay Rd',
      city: 'Orick',
      state_province: 'CA',
      postal_code: '95555',
      country: 'US',
      address_type: 'physical',
    },
  ],
  'service_at_location.csv': [
    { id: 'sal-1', service_id: PANTRY, location_id: DEPOT },
    { id: 'sal-2', service_id: MEALS, location_id: HALL },
    { id: 'sal-3', service_id: RENT, location_id: FAR },
  ],
  'schedules.csv': [
    // Open around the clock every day, so "open now" always finds it.
    { id: 'sch-1', service_id: PANTRY, freq: 'DAILY', opens_at: '00:00', closes_at: '23:59' },
    { id: 'sch-2', service_id: MEALS, freq: 'WEEKLY', byday: 'SU', opens_at: '08:00', closes_at: '08:01' },
  ],
  'languages.csv': [
    { id: 'lang-1', service_id: PANTRY, name: 'English', code: 'en' },
    { id: 'lang-2', service_id: PANTRY, name: 'Spanish', code: 'es' },
    { id: 'lang-3', service_id: MEALS, name: 'English', code: 'en' },
  ],
  'phones.csv': [{ id: 'ph-1', service_id: PANTRY, number: '707-555-0100', type: 'voice' }],
  'taxonomies.csv': [{ id: 'tax-1', name: 'Kith test needs', uri: 'https://kith.example.org/test/needs' }],
  'taxonomy_terms.csv': [
    { id: BASIC_NEEDS, code: 'BN', name: 'Basic needs', taxonomy_id: 'tax-1' },
    {
      id: FOOD_PANTRY_TERM,
      code: 'BN-FP',
      name: 'Food pantry',
      parent_id: BASIC_NEEDS,
      taxonomy_id: 'tax-1',
    },
    { id: RENT_TERM, code: 'BN-RA', name: 'Rent assistance', parent_id: BASIC_NEEDS, taxonomy_id: 'tax-1' },
  ],
  'attributes.csv': [
    {
      id: 'at-1',
      link_id: PANTRY,
      link_type: 'service',
      link_entity: 'service',
      taxonomy_term_id: FOOD_PANTRY_TERM,
    },
    {
      id: 'at-2',
      link_id: MEALS,
      link_type: 'service',
      link_entity: 'service',
      taxonomy_term_id: FOOD_PANTRY_TERM,
    },
    { id: 'at-3', link_id: RENT, link_type: 'service', link_entity: 'service', taxonomy_term_id: RENT_TERM },
  ],
};

export const COUNTY_NAME = 'Alder County Social Services';
export const PERSON_NAME = 'Rosa Delgado';

/** The sending organization (a county agency, not in the directory) and the person referred. */
export const COUNTY_AND_PERSON: Bundle = {
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    {
      fullUrl: 'urn:uuid:6e0c2f7e-0000-4000-8000-000000000001',
      resource: { resourceType: 'Organization', name: COUNTY_NAME },
      request: { method: 'POST', url: 'Organization' },
    },
    {
      fullUrl: 'urn:uuid:6e0c2f7e-0000-4000-8000-000000000002',
      resource: {
        resourceType: 'Patient',
        name: [{ family: 'Delgado', given: ['Rosa'] }],
        birthDate: '1971-05-04',
        gender: 'female',
        address: [{ use: 'home', line: ['12 Oak St'], city: 'Alder', state: 'CA', postalCode: '95501' }],
      },
      request: { method: 'POST', url: 'Patient' },
    },
  ],
};
