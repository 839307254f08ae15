import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MatchRecord } from '../types';
import type { GeneratedData, GeneratedRecord } from './generate';

/**
 * Generated data as files: records.csv (what the sources hold), truth.csv (record -> person, for scoring
 * only), relations.csv (twins and father/son: pairs of people that must not be linked) and map.json (the
 * field map for `kith link`).
 */
export const RECORD_COLUMNS: (keyof GeneratedRecord)[] = [
  'recordId', 'source', 'firstName', 'middleName', 'lastName', 'suffix', 'sex', 'dob', 'ssn', 'phone', 'address',
  'city', 'state', 'zip',
]; // prettier-ignore

export const GENERATED_MAP = {
  id: 'recordId',
  given: 'firstName',
  middle: 'middleName',
  family: 'lastName',
  suffix: 'suffix',
  gender: 'sex',
  birthDate: 'dob',
  ssn: 'ssn',
  phone: 'phone',
  line: 'address',
  city: 'city',
  state: 'state',
  postalCode: 'zip',
};

export function toMatchRecord(g: GeneratedRecord): MatchRecord {
  return {
    id: g.recordId,
    given: g.firstName,
    middle: g.middleName,
    family: g.lastName,
    suffix: g.suffix,
    gender: g.sex,
    birthDate: g.dob,
    ssn: g.ssn,
    phone: g.phone,
    line: g.address,
    city: g.city,
    state: g.state,
    postalCode: g.zip,
  };
}

const cell = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function writeGenerated(data: GeneratedData, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const lines = [RECORD_COLUMNS.join(',')];
  for (const r of data.records) lines.push(RECORD_COLUMNS.map((c) => cell(r[c])).join(','));
  writeFileSync(join(dir, 'records.csv'), lines.join('\n') + '\n');
  const truth = ['recordId,personId', ...data.records.map((r, i) => `${r.recordId},${data.personOf[i]}`)];
  writeFileSync(join(dir, 'truth.csv'), truth.join('\n') + '\n');
  const rel = ['personA,personB,kind', ...data.relations.map((x) => `${x.a},${x.b},${x.kind}`)];
  writeFileSync(join(dir, 'relations.csv'), rel.join('\n') + '\n');
  writeFileSync(join(dir, 'map.json'), JSON.stringify(GENERATED_MAP, null, 2) + '\n');
}
