/**
 * The "true" residents of Alder County: households of people with names, birth dates, identifiers,
 * addresses and circumstances. Source records (Patients) are derived from these, with each source's
 * own errors and habits, so the truth is what an identity matcher should recover. The population
 * deliberately contains hard non-matches: twins, fathers and sons (Sr/Jr), and unrelated namesakes.
 */
import type { Random } from './random';
import { NAME_POOLS, NAMESAKES, TWIN_NAME_PAIRS, type NameGroup } from './names';
import { personPhone, randomAddress, type StreetAddress } from './geography';
import { ageOn, birthDateForAge, daysAgo, isoDate } from './dates';
import { assignTraits, type Traits } from './traits';
import type { SourceKey } from './kith';

export type Gender = 'male' | 'female';

export interface Person {
  key: string;
  index: number;
  household: number;
  group: NameGroup;
  gender: Gender;
  given: string;
  middle?: string;
  family: string;
  /** Second (maternal) surname, as many Latino residents carry. */
  secondFamily?: string;
  /** Birth surname of someone who took a spouse's name. */
  maidenFamily?: string;
  suffix?: 'Jr' | 'Sr';
  birthDate: string;
  age: number;
  /** Nine digits, always starting with 9 (never issued by the SSA). */
  ssn?: string;
  phone: string;
  cell?: string;
  email?: string;
  /** Current home; absent while homeless. */
  address?: StreetAddress;
  previousAddress?: StreetAddress;
  movedOn?: string;
  language: string;
  motherKey?: string;
  fatherKey?: string;
  twinKey?: string;
  /** Birth order among twins (1, 2). */
  birthOrder?: number;
  relatedKey?: string;
  traits: Traits;
  sources: SourceKey[];
}

export type HardNonMatchKind = 'twins' | 'father-son' | 'namesakes';

export interface Population {
  persons: Person[];
  hardNonMatches: { a: string; b: string; kind: HardNonMatchKind }[];
}

interface Household {
  index: number;
  group: NameGroup;
  family: string;
  address: StreetAddress;
  previousAddress?: StreetAddress;
  movedOn?: string;
  phone: string;
  homeless: boolean;
}

class Builder {
  readonly persons: Person[] = [];
  readonly hardNonMatches: Population['hardNonMatches'] = [];
  private households = 0;
  private phones = 0;
  private readonly ssns = new Set<string>();

  constructor(private readonly rng: Random) {}

  private nextPhone(): string {
    return personPhone(this.phones++);
  }

  private ssn(): string {
    for (;;) {
      const value = `9${this.rng.digits(2)}${String(this.rng.int(1, 99)).padStart(2, '0')}${String(this.rng.int(1, 9999)).padStart(4, '0')}`;
      if (!this.ssns.has(value)) {
        this.ssns.add(value);
        return value;
      }
    }
  }

  household(group?: NameGroup, homeless = false): Household {
    const rng = this.rng;
    const g =
      group ?? rng.weighted(Object.entries(NAME_POOLS).map(([k, p]) => [k as NameGroup, p.weight] as const));
    const h: Household = {
      index: this.households++,
      group: g,
      family: rng.pick(NAME_POOLS[g].family),
      address: randomAddress(rng),
      phone: this.nextPhone(),
      homeless,
    };
    if (homeless || rng.chance(0.3)) {
      h.previousAddress = randomAddress(rng);
      h.movedOn = isoDate(daysAgo(rng, rng.int(30, 1100)));
    }
    return h;
  }

  givenName(group: NameGroup, gender: Gender, avoid?: string): string {
    const pool = NAME_POOLS[group][gender];
    for (;;) {
      const name = this.rng.pick(pool);
      if (name !== avoid) return name;
    }
  }

  middleName(group: NameGroup, gender: Gender, given: string): string | undefined {
    const rng = this.rng;
    if (group === 'vietnamese') return gender === 'male' ? 'Van' : 'Thi';
    if (group === 'hmong') return undefined;
    const p = { hispanic: 0.45, white: 0.75, black: 0.7, asian: 0.3 }[group];
    if (!rng.chance(p)) return undefined;
    const other = rng.chance(0.85) ? group : 'white';
    return this.givenName(other, gender, given);
  }

  person(h: Household, gender: Gender, age: number, opts: Partial<Person> = {}): Person {
    const rng = this.rng;
    const index = this.persons.length;
    const given = opts.given ?? this.givenName(h.group, gender);
    const birthDate = opts.birthDate ?? birthDateForAge(rng, age);
    const p: Person = {
      key: `P${String(index + 1).padStart(4, '0')}`,
      index,
      household: h.index,
      group: h.group,
      gender,
      given,
      middle: 'middle' in opts ? opts.middle : this.middleName(h.group, gender, given),
      family: opts.family ?? h.family,
      birthDate,
      age: ageOn(birthDate),
      ssn: rng.chance(age >= 18 ? 0.93 : 0.85) ? this.ssn() : undefined,
      phone: h.phone,
      address: h.homeless ? undefined : h.address,
      previousAddress: h.previousAddress,
      movedOn: h.movedOn,
      language: rng.weighted(NAME_POOLS[h.group].languages),
      traits: {} as Traits,
      sources: [],
      ...opts,
    };
    if (p.age >= 16 && rng.chance(0.45)) p.cell = this.nextPhone();
    if (p.age >= 18 && rng.chance(0.35)) {
      const ascii = (s: string) =>
        s
          .normalize('NFD')
          .replace(/[^A-Za-z]/g, '')
          .toLowerCase();
      p.email = `${ascii(p.given)}.${ascii(p.family)}${rng.int(1, 99)}@example.com`;
    }
    if (p.age < 18 && p.language !== 'en' && rng.chance(0.6)) p.language = 'en';
    if (h.group === 'hispanic' && !('secondFamily' in opts) && rng.chance(0.3)) {
      p.secondFamily = rng.pick(NAME_POOLS.hispanic.family.filter((f) => f !== p.family));
    }
    this.persons.push(p);
    return p;
  }

  /** A couple: the second partner may have taken the first one's surname (keeping a maiden name). */
  couple(h: Household, ageA: number): [Person, Person] {
    const rng = this.rng;
    const a = this.person(h, 'male', ageA);
    const ageB = Math.max(18, ageA + rng.int(-6, 4));
    const takesName = rng.chance(h.group === 'hispanic' ? 0.4 : 0.7);
    const own = rng.pick(NAME_POOLS[h.group].family.filter((f) => f !== h.family));
    const b = this.person(h, 'female', ageB, takesName ? { maidenFamily: own } : { family: own });
    return [a, b];
  }

  children(h: Household, mother: Person | undefined, father: Person | undefined, n: number): Person[] {
    const rng = this.rng;
    const out: Person[] = [];
    const oldest = Math.min(17, Math.max(0, (mother?.age ?? father?.age ?? 30) - 18));
    for (let i = 0; i < n; i++) {
      const child = this.person(h, rng.chance(0.5) ? 'male' : 'female', rng.int(0, oldest), {
        family: father?.family ?? mother?.family ?? h.family,
        motherKey: mother?.key,
        fatherKey: father?.key,
      });
      if (h.group === 'hispanic' && mother && mother.family !== child.family && rng.chance(0.6)) {
        child.secondFamily = mother.maidenFamily ?? mother.family;
      }
      out.push(child);
    }
    return out;
  }

  twinsFamily(pairIndex: number): void {
    const rng = this.rng;
    const [nameA, nameB, kind] = TWIN_NAME_PAIRS[pairIndex % TWIN_NAME_PAIRS.length];
    const hispanic = /[áéíóúñ]/i.test(nameA + nameB) || nameA === 'Mateo';
    const h = this.household(hispanic ? 'hispanic' : nameA === 'Linh' ? 'vietnamese' : undefined);
    const [father, mother] = rng.chance(0.6)
      ? this.couple(h, rng.int(26, 45))
      : [undefined, this.person(h, 'female', rng.int(20, 40))];
    const age = rng.chance(0.75) ? rng.int(0, Math.min(17, mother.age - 18)) : rng.int(18, 24);
    const birthDate = birthDateForAge(rng, age);
    const genderA: Gender = kind === 'female' ? 'female' : 'male';
    const genderB: Gender = kind === 'male' ? 'male' : 'female';
    const common = {
      birthDate,
      family: father?.family ?? mother.family,
      motherKey: mother.key,
      fatherKey: father?.key,
    };
    const a = this.person(h, genderA, age, { ...common, given: nameA, birthOrder: 1 });
    const b = this.person(h, genderB, age, {
      ...common,
      given: nameB,
      birthOrder: 2,
      secondFamily: a.secondFamily,
    });
    a.twinKey = b.key;
    b.twinKey = a.key;
    this.hardNonMatches.push({ a: a.key, b: b.key, kind: 'twins' });
  }

  fatherAndSon(): void {
    const rng = this.rng;
    const h = this.household(rng.pick(['white', 'black', 'hispanic'] as const));
    const [father, mother] = this.couple(h, rng.int(44, 68));
    father.suffix = 'Sr';
    if (!father.middle)
      father.middle = this.givenName(h.group === 'hispanic' ? 'hispanic' : 'white', 'male', father.given);
    const son = this.person(h, 'male', rng.int(18, Math.min(38, father.age - 19)), {
      given: father.given,
      middle: father.middle,
      family: father.family,
      suffix: 'Jr',
      fatherKey: father.key,
      motherKey: mother.key,
    });
    son.relatedKey = father.key;
    father.relatedKey = son.key;
    this.hardNonMatches.push({ a: father.key, b: son.key, kind: 'father-son' });
  }

  namesakes(i: number): void {
    const rng = this.rng;
    const [given, family, gender] = NAMESAKES[i % NAMESAKES.length];
    const group: NameGroup = ['García', 'Hernández'].includes(family)
      ? 'hispanic'
      : family === 'Xiong'
        ? 'hmong'
        : rng.pick(['white', 'black'] as const);
    const ageA = rng.int(22, 70);
    const sameYear = rng.chance(0.5);
    const a = this.person(this.household(group), gender, ageA, { given, family, secondFamily: undefined });
    const b = this.person(this.household(group), gender, sameYear ? ageA : rng.int(22, 70), {
      given,
      family,
      secondFamily: undefined,
    });
    a.relatedKey = b.key;
    b.relatedKey = a.key;
    this.hardNonMatches.push({ a: a.key, b: b.key, kind: 'namesakes' });
  }

  randomHousehold(): void {
    const rng = this.rng;
    const kind = rng.weighted([
      ['single', 34],
      ['single-parent', 22],
      ['couple-kids', 18],
      ['couple', 11],
      ['senior', 9],
      ['multigen', 6],
    ] as const);
    const homeless =
      (kind === 'single' && rng.chance(0.45)) || (kind === 'single-parent' && rng.chance(0.15));
    const h = this.household(undefined, homeless);
    if (kind === 'single') this.person(h, rng.chance(0.55) ? 'male' : 'female', rng.int(18, 64));
    else if (kind === 'senior') this.person(h, rng.chance(0.4) ? 'male' : 'female', rng.int(65, 92));
    else if (kind === 'couple') this.couple(h, rng.int(24, 84));
    else if (kind === 'single-parent') {
      const parent = this.person(h, rng.chance(0.85) ? 'female' : 'male', rng.int(19, 48));
      const mother = parent.gender === 'female' ? parent : undefined;
      this.children(h, mother, mother ? undefined : parent, rng.int(1, 3));
    } else {
      const [father, mother] = this.couple(h, rng.int(24, 50));
      this.children(h, mother, father, rng.int(1, 4));
      if (kind === 'multigen')
        this.person(h, 'female', rng.int(62, 88), { family: rng.pick(NAME_POOLS[h.group].family) });
    }
  }
}

export function generatePopulation(rng: Random, count: number): Population {
  const b = new Builder(rng.fork('households'));
  const twins = Math.max(2, Math.round(count / 60));
  const fatherSon = Math.max(2, Math.round(count / 75));
  const namesakes = Math.min(NAMESAKES.length, Math.max(2, Math.round(count / 100)));
  for (let i = 0; i < twins; i++) b.twinsFamily(i);
  for (let i = 0; i < fatherSon; i++) b.fatherAndSon();
  for (let i = 0; i < namesakes; i++) b.namesakes(i);
  while (b.persons.length < count) b.randomHousehold();
  const persons = b.persons.slice(0, Math.max(count, 0));
  const kept = new Set(persons.map((p) => p.key));
  const hardNonMatches = b.hardNonMatches.filter((m) => kept.has(m.a) && kept.has(m.b));
  assignTraits(rng.fork('traits'), persons);
  return { persons, hardNonMatches };
}
