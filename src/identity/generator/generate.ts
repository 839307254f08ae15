import { isValidDate } from '../normalize/dates';
import { PopulationBuilder, type Person, type Relation } from './person';
import { Random } from './random';
import {
  SOURCES,
  nicknameFor,
  styleCity,
  styleDate,
  styleName,
  stylePhone,
  styleSex,
  styleSsn,
  styleStreet,
  styleSuffix,
  type SourceStyle,
} from './sources';

/**
 * A synthetic US county population seen through several source systems. Each person has one to six source
 * records; each record independently suffers the errors real registries have (rates below), and the
 * population contains twins and father/son pairs that must never be linked. Deterministic for a seed.
 */
export interface ErrorRates {
  nickname: number;
  givenTypo: number;
  familyTypo: number;
  middleDropped: number;
  middleInitialOnly: number;
  dayMonthSwap: number;
  dateTypo: number;
  dateMissing: number;
  ssnMissing: number;
  /** Share of missing SSNs written as a placeholder (999-99-9999 ...) instead of left empty. */
  ssnPlaceholder: number;
  ssnTypo: number;
  phoneMissing: number;
  addressTypo: number;
  addressMissing: number;
  zipTypo: number;
  sexMissing: number;
  nameSwap: number;
  /** A later record uses the married family name. */
  marriedName: number;
  suffixDropped: number;
}

export const DEFAULT_RATES: ErrorRates = {
  nickname: 0.12,
  givenTypo: 0.05,
  familyTypo: 0.05,
  middleDropped: 0.4,
  middleInitialOnly: 0.3,
  dayMonthSwap: 0.03,
  dateTypo: 0.03,
  dateMissing: 0.01,
  ssnMissing: 0.45,
  ssnPlaceholder: 0.15,
  ssnTypo: 0.02,
  phoneMissing: 0.25,
  addressTypo: 0.04,
  addressMissing: 0.03,
  zipTypo: 0.02,
  sexMissing: 0.03,
  nameSwap: 0.01,
  marriedName: 0.6,
  suffixDropped: 0.15,
};

export interface GeneratorOptions {
  seed: number;
  records: number;
  referenceYear?: number;
  rates?: Partial<ErrorRates>;
  /** Share of people born with a twin / of people who are a father-son pair with the same name. */
  twins?: number;
  fatherSon?: number;
}

export interface GeneratedRecord {
  recordId: string;
  source: string;
  firstName: string;
  middleName: string;
  lastName: string;
  suffix: string;
  sex: string;
  dob: string;
  ssn: string;
  phone: string;
  address: string;
  city: string;
  state: string;
  zip: string;
}

export interface GeneratedData {
  records: GeneratedRecord[];
  /** Person id of each record, by position in `records` (the ground truth). */
  personOf: Int32Array;
  persons: number;
  relations: Relation[];
}

/** Records per person: 1 to 6, mean about 2.6. */
const RECORD_COUNTS = [0.3, 0.25, 0.2, 0.13, 0.08, 0.04];
const PLACEHOLDER_SSNS = ['999-99-9999', '000-00-0000', '123-45-6789', '111-11-1111'];
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function typo(s: string, rnd: Random, alphabet = LETTERS): string {
  if (s.length < 2) return s;
  const i = rnd.int(0, s.length - 1);
  const c = alphabet[rnd.int(0, alphabet.length - 1)];
  switch (rnd.int(0, 3)) {
    case 0:
      return s.slice(0, i) + c + s.slice(i + 1);
    case 1:
      return s.slice(0, i) + c + s.slice(i);
    case 2:
      return s.length > 3 ? s.slice(0, i) + s.slice(i + 1) : s;
    default:
      return i < s.length - 1 ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : s;
  }
}

class RecordMaker {
  private readonly ids = new Set<string>();
  constructor(
    private readonly rnd: Random,
    private readonly rates: ErrorRates,
  ) {}

  private recordId(style: SourceStyle): string {
    for (;;) {
      const id = `${style.name.slice(0, 3)}-${Math.floor(this.rnd.float() * 2 ** 40).toString(36)}`;
      if (!this.ids.has(id)) {
        this.ids.add(id);
        return id;
      }
    }
  }

  private familyName(p: Person, index: number): string {
    const { rnd, rates } = this;
    let family = p.marriedFamily && index > 0 && rnd.chance(rates.marriedName) ? p.marriedFamily : p.family;
    const words = family.split(' ');
    // Compound surnames: sources keep both, the first only, or hyphenate them.
    if (words.length === 2 && !/^(DE|DEL|VAN|DI|DA|DOS|ST|MC|O|LA|LE)$/.test(words[0])) {
      const r = rnd.float();
      if (r < 0.3) family = words[0];
      else if (r < 0.45) family = words.join('-');
    } else if (words.length > 1 && rnd.chance(0.3)) family = words.join('');
    if (rnd.chance(rates.familyTypo)) family = typo(family, rnd);
    return family;
  }

  private birthDate(p: Person, style: SourceStyle): string {
    const { rnd, rates } = this;
    if (rnd.chance(rates.dateMissing)) return '';
    let [y, m, d] = p.birth;
    if (d <= 12 && d !== m && rnd.chance(rates.dayMonthSwap)) [m, d] = [d, m];
    else if (rnd.chance(rates.dateTypo)) {
      for (let tries = 0; tries < 10; tries++) {
        const s = typo(`${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`, rnd, '0123456789');
        if (s.length !== 8) continue;
        const [ty, tm, td] = [+s.slice(0, 4), +s.slice(4, 6), +s.slice(6)];
        if (isValidDate(ty, tm, td, 2100)) {
          [y, m, d] = [ty, tm, td];
          break;
        }
      }
    }
    return styleDate([y, m, d], style);
  }

  make(p: Person, index: number, count: number): GeneratedRecord {
    const { rnd, rates } = this;
    const style = rnd.pick(SOURCES);
    let given = p.given;
    if (rnd.chance(rates.nickname)) given = nicknameFor(given, rnd) ?? given;
    if (rnd.chance(rates.givenTypo)) given = typo(given, rnd);
    let family = this.familyName(p, index);
    if (rnd.chance(rates.nameSwap)) [given, family] = [family, given];
    let middle = p.middle;
    if (rnd.chance(rates.middleDropped)) middle = '';
    else if (rnd.chance(rates.middleInitialOnly)) middle = middle.slice(0, 1);
    let suffix = p.suffix && !rnd.chance(rates.suffixDropped) ? styleSuffix(p.suffix, style, rnd) : '';
    let lastName = styleName(family, style);
    // Some systems have no suffix field: it ends up after the family name.
    if (suffix && rnd.chance(0.3)) {
      lastName = `${lastName} ${suffix}`;
      suffix = '';
    }
    let ssn: string;
    if (rnd.chance(rates.ssnMissing))
      ssn = rnd.chance(rates.ssnPlaceholder) ? rnd.pick(PLACEHOLDER_SSNS) : '';
    else ssn = styleSsn(rnd.chance(rates.ssnTypo) ? typo(p.ssn, rnd, '0123456789') : p.ssn, style);
    let phone = '';
    if (!rnd.chance(rates.phoneMissing)) {
      const raw = p.phones[index > 0 && p.phones.length > 1 && rnd.chance(0.5) ? 1 : 0];
      phone = stylePhone(rnd.chance(0.02) ? typo(raw, rnd, '0123456789') : raw, style);
    }
    // People move: later records tend to carry later addresses.
    const addr =
      p.addresses[Math.min(p.addresses.length - 1, Math.floor((index * p.addresses.length) / count))];
    let street = '';
    let city = '';
    let zip = '';
    if (!rnd.chance(rates.addressMissing)) {
      street = styleStreet(addr, style, rnd);
      if (rnd.chance(rates.addressTypo)) street = typo(street, rnd, LETTERS.toLowerCase() + LETTERS);
      city = styleCity(addr, style);
      zip = rnd.chance(rates.zipTypo) ? typo(addr.zip, rnd, '0123456789') : addr.zip;
      if (rnd.chance(0.1)) zip += `-${rnd.digits(4)}`;
    }
    const pad = (s: string) => (style.padCells && s !== '' && rnd.chance(0.3) ? ` ${s}  ` : s);
    return {
      recordId: this.recordId(style),
      source: style.name,
      firstName: pad(styleName(given, style)),
      middleName: pad(styleName(middle, style)),
      lastName: pad(lastName),
      suffix,
      sex: rnd.chance(rates.sexMissing) ? '' : styleSex(p.sex, style),
      dob: pad(this.birthDate(p, style)),
      ssn: pad(ssn),
      phone,
      address: pad(street),
      city,
      state: style.longStreetWords ? 'California' : 'CA',
      zip,
    };
  }
}

export function generatePopulation(options: GeneratorOptions): GeneratedData {
  const rnd = new Random(options.seed);
  const rates = { ...DEFAULT_RATES, ...options.rates };
  const builder = new PopulationBuilder(rnd, options.referenceYear ?? 2025);
  const maker = new RecordMaker(rnd, rates);
  const records: GeneratedRecord[] = [];
  const owners: number[] = [];
  const emit = (p: Person) => {
    let k = 1;
    for (let r = rnd.float(), acc = RECORD_COUNTS[0]; r > acc && k < RECORD_COUNTS.length; k++)
      acc += RECORD_COUNTS[k];
    // Twins and father/son pairs get at least two records each, so the hard cases are well represented.
    if (builder.related.has(p.id)) k = Math.max(k, 2);
    for (let i = 0; i < k && records.length < options.records; i++) {
      records.push(maker.make(p, i, k));
      owners.push(p.id);
    }
  };
  let previous: Person | undefined;
  while (records.length < options.records) {
    const r = rnd.float();
    if (r < (options.fatherSon ?? 0.01)) {
      const [father, son] = builder.addFatherAndSon();
      emit(father);
      emit(son);
      continue;
    }
    const p = builder.add(previous && rnd.chance(0.2) ? previous : undefined);
    const twin = rnd.chance(options.twins ?? 0.015) ? builder.addTwin(p) : undefined;
    emit(p);
    if (twin) emit(twin);
    previous = p;
  }
  // Shuffle so that record order carries no information about who is who.
  const order = Array.from(records.keys());
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd.float() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return {
    records: order.map((i) => records[i]),
    personOf: Int32Array.from(order.map((i) => owners[i])),
    persons: builder.persons.length,
    relations: builder.relations,
  };
}
