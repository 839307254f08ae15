/**
 * How each source system writes people down: its record-number format and the probabilities of its
 * habits (nicknames, upper case, lost accents, SSN present, stale address, ...). Used by source-records.
 */
import type { SourceKey } from './kith';

export interface Habits {
  record: [prefix: string, digits: number];
  nickname: number;
  typo: number;
  stripAccents: number;
  upper: boolean;
  ssn: number;
  ssnDashes: boolean;
  middle: 'full' | 'initial' | 'none';
  dobError: number;
  partialDob: number;
  missingDob: number;
  staleAddress: number;
  maiden: number;
  phone: number;
  email: number;
  addressStyle: 'full' | 'abbr' | 'upper';
  compound: 'space' | 'hyphen' | 'first' | 'any';
  suffix: number;
  genderKnown: number;
  swapNames: number;
  zipOnly: number;
}

const base: Habits = {
  record: ['', 8],
  nickname: 0,
  typo: 0.03,
  stripAccents: 0,
  upper: false,
  ssn: 0.8,
  ssnDashes: false,
  middle: 'full',
  dobError: 0.01,
  partialDob: 0,
  missingDob: 0,
  staleAddress: 0.15,
  maiden: 0.15,
  phone: 0.9,
  email: 0.3,
  addressStyle: 'abbr',
  compound: 'any',
  suffix: 0.8,
  genderKnown: 1,
  swapNames: 0,
  zipOnly: 0,
};

export const HABITS: Record<SourceKey, Habits> = {
  calsaws: {
    ...base,
    record: ['', 9],
    ssn: 0.96,
    stripAccents: 0.5,
    addressStyle: 'full',
    compound: 'space',
    suffix: 0.95,
    email: 0.45,
  },
  clinic: {
    ...base,
    record: ['A', 7],
    nickname: 0.25,
    typo: 0.04,
    ssn: 0.55,
    ssnDashes: true,
    middle: 'initial',
    dobError: 0.02,
    staleAddress: 0.35,
    maiden: 0.25,
    email: 0.5,
    compound: 'hyphen',
    suffix: 0.7,
    swapNames: 0.03,
  },
  hospital: {
    ...base,
    record: ['M', 8],
    nickname: 0.1,
    typo: 0.06,
    stripAccents: 1,
    upper: true,
    ssn: 0.7,
    middle: 'initial',
    dobError: 0.03,
    staleAddress: 0.4,
    maiden: 0.35,
    email: 0,
    addressStyle: 'upper',
    suffix: 0.5,
    genderKnown: 0.97,
    swapNames: 0.04,
  },
  hmis: {
    ...base,
    record: ['', 6],
    nickname: 0.35,
    typo: 0.08,
    stripAccents: 1,
    ssn: 0.45,
    middle: 'none',
    dobError: 0.04,
    partialDob: 0.12,
    staleAddress: 0,
    maiden: 0.3,
    phone: 0.5,
    email: 0.1,
    compound: 'first',
    suffix: 0.3,
    genderKnown: 0.95,
    swapNames: 0.05,
  },
  jail: {
    ...base,
    record: ['X', 7],
    nickname: 0.05,
    typo: 0.04,
    stripAccents: 1,
    upper: true,
    ssn: 0.8,
    ssnDashes: true,
    dobError: 0.03,
    staleAddress: 0.5,
    maiden: 0.2,
    phone: 0.2,
    email: 0,
    addressStyle: 'upper',
    compound: 'space',
    suffix: 0.9,
  },
  wic: {
    ...base,
    record: ['W', 9],
    nickname: 0.1,
    ssn: 0.1,
    staleAddress: 0.3,
    maiden: 0.4,
    phone: 0.95,
    email: 0.35,
    compound: 'any',
    suffix: 0.6,
  },
  foodbank: {
    ...base,
    record: ['FB-', 5],
    nickname: 0.5,
    typo: 0.1,
    stripAccents: 0.5,
    ssn: 0,
    middle: 'none',
    partialDob: 0.15,
    missingDob: 0.2,
    staleAddress: 0.3,
    maiden: 0.3,
    phone: 0.8,
    email: 0.2,
    compound: 'first',
    suffix: 0.2,
    genderKnown: 0.9,
    swapNames: 0.06,
    zipOnly: 0.3,
  },
  bh: {
    ...base,
    record: ['BH', 6],
    nickname: 0.1,
    ssn: 0.85,
    ssnDashes: true,
    staleAddress: 0.25,
    maiden: 0.2,
    email: 0.3,
    compound: 'hyphen',
    suffix: 0.8,
  },
};
