import { areNicknames } from '../normalize/nicknames';
import { jaroWinkler } from '../compare/jaro-winkler';
import { CITIES, DIRECTIONS, STREET_NAMES, STREET_TYPES, AREA_CODES } from './data-places';
import { FEMALE_NAMES, MALE_NAMES, PARTICLE_SURNAMES, SURNAMES, SYLLABLES } from './data-names';
import { Random, zipfCdf } from './random';

/**
 * The true people behind the synthetic records: who they are, where they lived, which other people share
 * their household, and the two relations that must never be linked (twins, father and son).
 */
export interface Address {
  number: string;
  dir: string;
  street: string;
  type: number;
  unit: string;
  city: number;
  zip: string;
}

export interface Person {
  id: number;
  sex: 'M' | 'F';
  given: string;
  middle: string;
  family: string;
  /** Family name after marriage, used by later records. */
  marriedFamily: string;
  suffix: '' | 'JR' | 'SR' | 'II' | 'III';
  birth: [number, number, number];
  ssn: string;
  phones: string[];
  addresses: Address[];
}

export type RelationKind = 'twin' | 'father-son';
export interface Relation {
  a: number;
  b: number;
  kind: RelationKind;
}

const MALE_CDF = zipfCdf(MALE_NAMES.length, 1, 8);
const FEMALE_CDF = zipfCdf(FEMALE_NAMES.length, 1, 8);
const SURNAME_CDF = zipfCdf(SURNAMES.length, 1, 30);

export class PopulationBuilder {
  readonly persons: Person[] = [];
  readonly relations: Relation[] = [];
  /** Ids of people in a twin or father/son relation. */
  readonly related = new Set<number>();
  private readonly ssns = new Set<string>();

  constructor(
    private readonly rnd: Random,
    private readonly referenceYear: number,
  ) {}

  private inventedName(min: number, max: number): string {
    let s = '';
    const n = this.rnd.int(min, max);
    for (let i = 0; i < n; i++) s += this.rnd.pick(SYLLABLES);
    return s.toUpperCase();
  }

  givenName(sex: 'M' | 'F'): string {
    // One in six people has a name outside the common list (the long tail real registries have).
    if (this.rnd.chance(1 / 6)) return this.inventedName(2, 3);
    return sex === 'M' ? MALE_NAMES[this.rnd.zipf(MALE_CDF)] : FEMALE_NAMES[this.rnd.zipf(FEMALE_CDF)];
  }

  surname(): string {
    const r = this.rnd.float();
    if (r < 0.35) return this.inventedName(2, 4);
    if (r < 0.37) return this.rnd.pick(PARTICLE_SURNAMES);
    const first = SURNAMES[this.rnd.zipf(SURNAME_CDF)];
    // Compound Hispanic surnames: father's then mother's family name.
    if (r < 0.42) return `${first} ${SURNAMES[this.rnd.zipf(SURNAME_CDF)]}`;
    return first;
  }

  ssn(): string {
    for (;;) {
      let area = this.rnd.int(1, 899);
      if (area === 666) area = 665;
      const s = `${String(area).padStart(3, '0')}${String(this.rnd.int(1, 99)).padStart(2, '0')}${String(this.rnd.int(1, 9999)).padStart(4, '0')}`;
      if (!this.ssns.has(s)) {
        this.ssns.add(s);
        return s;
      }
    }
  }

  phone(): string {
    return `${this.rnd.pick(AREA_CODES)}${this.rnd.int(2, 9)}${this.rnd.digits(6)}`;
  }

  address(nearCity?: number): Address {
    const city = nearCity ?? this.rnd.int(0, CITIES.length - 1);
    return {
      number: String(this.rnd.chance(0.7) ? this.rnd.int(1, 9999) : this.rnd.int(10000, 49999)),
      dir: this.rnd.chance(0.15) ? this.rnd.pick(DIRECTIONS)[0] : '',
      street: this.rnd.pick(STREET_NAMES),
      type: this.rnd.int(0, STREET_TYPES.length - 1),
      unit: this.rnd.chance(0.3) ? String(this.rnd.int(1, 40)) + (this.rnd.chance(0.2) ? 'B' : '') : '',
      city,
      zip: this.rnd.pick(CITIES[city][1]),
    };
  }

  birth(minAge: number, maxAge: number): [number, number, number] {
    const y = this.referenceYear - this.rnd.int(minAge, maxAge);
    const m = this.rnd.int(1, 12);
    const d = this.rnd.int(1, m === 2 ? 28 : [4, 6, 9, 11].includes(m) ? 30 : 31);
    return [y, m, d];
  }

  /** A new person; `household` shares address and phone (and usually the family name) with another. */
  add(household?: Person): Person {
    const sex = this.rnd.chance(0.5) ? 'M' : 'F';
    const family = household && this.rnd.chance(0.7) ? household.family : this.surname();
    const moves = this.rnd.chance(0.35) ? this.rnd.int(1, 2) : 0;
    const addresses = household ? [household.addresses[0]] : [this.address()];
    for (let k = 0; k < moves; k++)
      addresses.push(this.address(this.rnd.chance(0.6) ? addresses[0].city : undefined));
    const p: Person = {
      id: this.persons.length,
      sex,
      given: this.givenName(sex),
      middle: this.rnd.chance(0.6) ? this.givenName(sex) : '',
      family,
      marriedFamily: '',
      suffix: '',
      birth: this.birth(0, 95),
      ssn: this.ssn(),
      phones: household && this.rnd.chance(0.6) ? [household.phones[0]] : [this.phone()],
      addresses,
    };
    if (this.rnd.chance(0.3)) p.phones.push(this.phone());
    // Married names: a third of adult women have records under a later family name, some hyphenated.
    if (sex === 'F' && this.referenceYear - p.birth[0] > 22 && this.rnd.chance(0.33)) {
      const spouse = this.surname();
      p.marriedFamily = this.rnd.chance(0.25) ? `${family}-${spouse}` : spouse;
    }
    this.persons.push(p);
    return p;
  }

  /** A twin of `p`: same birth date, family and home; a first name nobody would confuse with p's. */
  addTwin(p: Person): Person {
    const t = this.add(p);
    t.family = p.family;
    t.marriedFamily = '';
    t.birth = [...p.birth];
    t.addresses = [p.addresses[0]];
    t.phones = [p.phones[0]];
    for (let tries = 0; tries < 50; tries++) {
      const name = this.givenName(t.sex);
      if (name[0] !== p.given[0] && !areNicknames(name, p.given) && jaroWinkler(name, p.given) < 0.75) {
        t.given = name;
        break;
      }
    }
    // Twins' SSNs are often issued together: half the time consecutive serial numbers.
    if (this.rnd.chance(0.5)) {
      const next = String(Number(p.ssn.slice(5)) + 1).padStart(4, '0');
      const s = p.ssn.slice(0, 5) + next;
      if (next !== '10000' && !this.ssns.has(s)) {
        this.ssns.add(s);
        t.ssn = s;
      }
    }
    this.relations.push({ a: p.id, b: t.id, kind: 'twin' });
    this.related.add(p.id).add(t.id);
    return t;
  }

  /** Father and son with the same name and home, told apart by Sr/Jr (or II/III) and birth year. */
  addFatherAndSon(): [Person, Person] {
    const father = this.add();
    father.sex = 'M';
    father.given = this.givenName('M');
    father.marriedFamily = '';
    father.birth = this.birth(45, 85);
    const son = this.add(father);
    son.sex = 'M';
    son.given = father.given;
    son.middle = father.middle;
    son.family = father.family;
    son.marriedFamily = '';
    son.addresses = [father.addresses[0], ...son.addresses.slice(1)];
    son.birth = this.birth(
      this.referenceYear - father.birth[0] - 40,
      this.referenceYear - father.birth[0] - 18,
    );
    const roman = this.rnd.chance(0.2);
    father.suffix = roman ? 'II' : 'SR';
    son.suffix = roman ? 'III' : 'JR';
    this.relations.push({ a: father.id, b: son.id, kind: 'father-son' });
    this.related.add(father.id).add(son.id);
    return [father, son];
  }
}
