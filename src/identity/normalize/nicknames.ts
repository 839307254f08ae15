import { NICKNAME_GROUPS } from './nickname-data';

/** Name -> ids of the groups it belongs to. Built once; ~350 groups, a few hundred microseconds. */
const GROUPS_BY_NAME = new Map<string, number[]>();
/** Group id -> its formal name, the canonical form used for blocking. */
const FORMAL_NAMES: string[] = [];
/** Group id -> all its names. */
const GROUP_MEMBERS: string[][] = [];

NICKNAME_GROUPS.forEach((line, groupId) => {
  const names = line.split(' ');
  FORMAL_NAMES.push(names[0]);
  GROUP_MEMBERS.push(names);
  for (const name of names) {
    const groups = GROUPS_BY_NAME.get(name);
    if (!groups) GROUPS_BY_NAME.set(name, [groupId]);
    else if (!groups.includes(groupId)) groups.push(groupId);
  }
});

const NO_GROUPS: readonly number[] = [];

/** Nickname groups a normalized (upper-case ASCII) first name belongs to. */
export function nicknameGroups(name: string): readonly number[] {
  return GROUPS_BY_NAME.get(name) ?? NO_GROUPS;
}

/** True when the two names share a nickname group (Bill ~ William, Lupe ~ Guadalupe, Bill ~ Billy). */
export function areNicknames(a: string, b: string): boolean {
  const ga = GROUPS_BY_NAME.get(a);
  const gb = GROUPS_BY_NAME.get(b);
  if (!ga || !gb) return false;
  for (const g of ga) if (gb.includes(g)) return true;
  return false;
}

/** Formal names a name can stand for, itself included: "PEGGY" -> ["PEGGY", "MARGARET"]. */
export function formalNames(name: string): string[] {
  const out = [name];
  for (const g of nicknameGroups(name)) if (!out.includes(FORMAL_NAMES[g])) out.push(FORMAL_NAMES[g]);
  return out;
}

const NO_NAMES: readonly string[] = [];
const relatedCache = new Map<string, readonly string[]>();

/** The other names sharing a group with `name`: "PEGGY" -> MARGARET, MAGGIE, MEG ... (memoized). */
export function relatedNames(name: string): readonly string[] {
  const groups = GROUPS_BY_NAME.get(name);
  if (!groups) return NO_NAMES;
  let out = relatedCache.get(name);
  if (!out) {
    const list: string[] = [];
    for (const g of groups)
      for (const n of GROUP_MEMBERS[g]) if (n !== name && !list.includes(n)) list.push(n);
    relatedCache.set(name, (out = list));
  }
  return out;
}

/** How many distinct name pairs the table relates, for the README and tests. */
export function nicknamePairCount(): number {
  let pairs = 0;
  for (const line of NICKNAME_GROUPS) {
    const n = new Set(line.split(' ')).size;
    pairs += (n * (n - 1)) / 2;
  }
  return pairs;
}
