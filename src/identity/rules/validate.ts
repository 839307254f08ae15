import { FIELD_KINDS, FIELD_NAMES, type FieldName } from '../types';
import { BLOCKING_PARTS, COMPARATORS_BY_KIND, type ComparatorName, type MatchRules } from './schema';

/**
 * Checks a rule set before anything runs and reports every problem at once, each with its JSON path, so a
 * steward editing rules sees "fields[2].levels[3].threshold: must be a number in (0, 1]" rather than a
 * crash halfway through a linkage.
 */
export type RulesValidation = { ok: true; rules: MatchRules } | { ok: false; errors: string[] };

const ALL_COMPARATORS = new Set<ComparatorName>([
  'missing', 'exact', 'jaro-winkler', 'levenshtein', 'phonetic', 'nickname', 'nickname-close', 'abbreviation',
  'initial', 'token-overlap', 'cross-field', 'date-swap', 'date-year', 'prefix', 'adjacent-number', 'one-sided',
  'else',
]); // prettier-ignore

const LEVEL_KEYS = new Set([
  'label', 'comparator', 'threshold', 'maxDistance', 'transpositions', 'field', 'length', 'maxYears',
  'termFrequency', 'm', 'u', 'maxDifference',
]); // prettier-ignore

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isField = (v: unknown): v is FieldName =>
  typeof v === 'string' && (FIELD_NAMES as readonly string[]).includes(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks a { field: [level labels] } map against the fields compared so far. */
function checkLevelMap(
  value: unknown,
  path: string,
  labelsByField: Map<FieldName, Set<string>>,
  err: (path: string, msg: string) => void,
): void {
  if (!isObject(value) || Object.keys(value).length === 0) return err(path, 'must name at least one field');
  for (const [field, levels] of Object.entries(value)) {
    const labels = isField(field) ? labelsByField.get(field) : undefined;
    if (!labels) {
      err(`${path}.${field}`, 'is not a field compared in "fields"');
      continue;
    }
    if (!Array.isArray(levels) || levels.length === 0) {
      err(`${path}.${field}`, 'must be a non-empty array of level labels');
      continue;
    }
    levels.forEach((lv: unknown, i: number) => {
      if (typeof lv !== 'string' || !labels.has(lv)) {
        err(`${path}.${field}[${i}]`, `no level ${JSON.stringify(lv)} in field "${field}"`);
      }
    });
  }
}

export function validateRules(input: unknown): RulesValidation {
  const errors: string[] = [];
  const err = (path: string, msg: string) => errors.push(`${path}: ${msg}`);
  if (!isObject(input)) return { ok: false, errors: ['(root): must be an object'] };
  const r = input;

  if (typeof r.version !== 'string' || r.version.trim() === '') err('version', 'must be a non-empty string');
  if (r.description !== undefined && typeof r.description !== 'string')
    err('description', 'must be a string');

  // Field levels: known comparators, allowed for the field's kind, with their parameters in range.
  const labelsByField = new Map<FieldName, Set<string>>();
  if (!Array.isArray(r.fields) || r.fields.length === 0) err('fields', 'must be a non-empty array');
  else {
    r.fields.forEach((f: unknown, fi: number) => {
      const p = `fields[${fi}]`;
      if (!isObject(f)) return err(p, 'must be an object');
      if (!isField(f.field))
        return err(
          `${p}.field`,
          `unknown field ${JSON.stringify(f.field)}; one of ${FIELD_NAMES.join(', ')}`,
        );
      if (labelsByField.has(f.field)) err(`${p}.field`, `field "${f.field}" is listed twice`);
      if (f.scored !== undefined && typeof f.scored !== 'boolean') err(`${p}.scored`, 'must be a boolean');
      const kind = FIELD_KINDS[f.field];
      const labels = new Set<string>();
      labelsByField.set(f.field, labels);
      const levels: unknown = f.levels;
      if (!Array.isArray(levels) || levels.length < 2)
        return err(`${p}.levels`, 'must list at least two levels');
      levels.forEach((l: unknown, li: number) => {
        const lp = `${p}.levels[${li}]`;
        if (!isObject(l)) return err(lp, 'must be an object');
        for (const k of Object.keys(l)) if (!LEVEL_KEYS.has(k)) err(`${lp}.${k}`, 'unknown property');
        if (typeof l.label !== 'string' || l.label === '') err(`${lp}.label`, 'must be a non-empty string');
        else if (labels.has(l.label))
          err(`${lp}.label`, `duplicate label "${l.label}" in field "${f.field}"`);
        else labels.add(l.label);
        const c = l.comparator as ComparatorName;
        if (!ALL_COMPARATORS.has(c))
          return err(`${lp}.comparator`, `unknown comparator ${JSON.stringify(l.comparator)}`);
        const generic = c === 'missing' || c === 'exact' || c === 'else';
        if (!generic && !COMPARATORS_BY_KIND[kind].includes(c)) {
          const allowed = ['missing', 'exact', ...COMPARATORS_BY_KIND[kind], 'else'].join(', ');
          err(
            `${lp}.comparator`,
            `"${c}" is not available for field "${f.field}" (${kind}); allowed: ${allowed}`,
          );
        }
        if (c === 'missing' && li !== 0) err(`${lp}.comparator`, '"missing" may only be the first level');
        if (c === 'else' && li !== levels.length - 1)
          err(`${lp}.comparator`, '"else" may only be the last level');
        if (
          (c === 'jaro-winkler' || c === 'nickname-close') &&
          !(isNum(l.threshold) && l.threshold > 0 && l.threshold <= 1)
        ) {
          err(`${lp}.threshold`, `${c} needs a threshold in (0, 1]`);
        }
        if (c === 'levenshtein' && !(Number.isInteger(l.maxDistance) && (l.maxDistance as number) >= 1)) {
          err(`${lp}.maxDistance`, 'levenshtein needs an integer maxDistance >= 1');
        }
        if (l.maxDistance !== undefined && c !== 'levenshtein' && c !== 'nickname-close') {
          err(`${lp}.maxDistance`, 'only on a levenshtein or nickname-close level');
        } else if (
          c === 'nickname-close' &&
          l.maxDistance !== undefined &&
          !(Number.isInteger(l.maxDistance) && (l.maxDistance as number) >= 0)
        ) {
          err(`${lp}.maxDistance`, 'must be an integer >= 0');
        }
        if (
          l.transpositions !== undefined &&
          (c !== 'levenshtein' || typeof l.transpositions !== 'boolean')
        ) {
          err(`${lp}.transpositions`, 'only a boolean on a levenshtein level');
        }
        if (
          (c === 'prefix' || c === 'abbreviation') &&
          !(Number.isInteger(l.length) && (l.length as number) >= 1)
        ) {
          err(`${lp}.length`, `${c} needs an integer length >= 1`);
        }
        if (
          c === 'adjacent-number' &&
          !(Number.isInteger(l.maxDifference) && (l.maxDifference as number) >= 1)
        ) {
          err(`${lp}.maxDifference`, 'adjacent-number needs an integer maxDifference >= 1');
        }
        if (c === 'date-year' && !(Number.isInteger(l.maxYears) && (l.maxYears as number) >= 1)) {
          err(`${lp}.maxYears`, 'date-year needs an integer maxYears >= 1');
        }
        if (c === 'cross-field') {
          if (!isField(l.field) || FIELD_KINDS[l.field] !== 'name' || l.field === f.field) {
            err(`${lp}.field`, 'cross-field needs another name field (given, middle, family)');
          }
        }
        if (l.termFrequency !== undefined && (c !== 'exact' || typeof l.termFrequency !== 'boolean')) {
          err(`${lp}.termFrequency`, 'only a boolean on an exact level');
        }
        if (l.m !== undefined && !(isNum(l.m) && l.m > 0 && l.m < 1))
          err(`${lp}.m`, 'must be a number in (0, 1)');
        if (l.u !== undefined && !(isNum(l.u) && l.u > 0 && l.u < 1))
          err(`${lp}.u`, 'must be a number in (0, 1)');
        if (c === 'missing' && (l.m !== undefined || l.u !== undefined))
          err(lp, 'no m or u on a "missing" level');
      });
      const last: unknown = levels[levels.length - 1];
      if (!isObject(last) || last.comparator !== 'else')
        err(`${p}.levels`, 'the last level must use comparator "else"');
    });
  }

  if (Array.isArray(r.fields)) {
    r.fields.forEach((f: unknown, fi: number) => {
      if (!isObject(f) || f.skipWhen === undefined) return;
      const sp = `fields[${fi}].skipWhen`;
      if (!Array.isArray(f.skipWhen) || f.skipWhen.length === 0)
        return err(sp, 'must be a non-empty array of conditions');
      f.skipWhen.forEach((c: unknown, ci: number) => {
        checkLevelMap(c, `${sp}[${ci}]`, labelsByField, err);
        if (isObject(c) && isField(f.field) && f.field in c)
          err(`${sp}[${ci}]`, 'a field cannot be skipped because of itself');
      });
      const levels = f.levels;
      if (Array.isArray(levels) && isObject(levels[0]) && levels[0].comparator !== 'missing') {
        err(sp, 'needs the field to have a "missing" level (a skipped field counts as missing)');
      }
    });
  }

  if (r.swaps !== undefined) {
    if (!Array.isArray(r.swaps)) err('swaps', 'must be an array');
    else
      r.swaps.forEach((s: unknown, si: number) => {
        const sp = `swaps[${si}]`;
        if (!isObject(s)) return err(sp, 'must be an object');
        const fs = s.fields;
        if (
          !Array.isArray(fs) ||
          fs.length !== 2 ||
          !fs.every((x) => isField(x) && labelsByField.has(x)) ||
          fs[0] === fs[1]
        ) {
          return err(`${sp}.fields`, 'must be two different fields that are compared in "fields"');
        }
        checkLevelMap(s.accept, `${sp}.accept`, labelsByField, err);
        if (isObject(s.accept) && !fs.every((x) => x in (s.accept as object))) {
          err(`${sp}.accept`, 'must list accepted levels for both fields');
        }
      });
  }

  const b = r.blocking;
  if (!isObject(b)) err('blocking', 'must be an object');
  else {
    if (!(Number.isInteger(b.maxBlockSize) && (b.maxBlockSize as number) >= 2)) {
      err('blocking.maxBlockSize', 'must be an integer >= 2');
    }
    if (
      b.onlineMaxBlockSize !== undefined &&
      !(Number.isInteger(b.onlineMaxBlockSize) && (b.onlineMaxBlockSize as number) >= 2)
    ) {
      err('blocking.onlineMaxBlockSize', 'must be an integer >= 2');
    }
    if (
      b.onlineMinSharedBlocks !== undefined &&
      !(Number.isInteger(b.onlineMinSharedBlocks) && (b.onlineMinSharedBlocks as number) >= 1)
    ) {
      err('blocking.onlineMinSharedBlocks', 'must be an integer >= 1');
    }
    if (b.refineAbove !== undefined && !(Number.isInteger(b.refineAbove) && (b.refineAbove as number) >= 2)) {
      err('blocking.refineAbove', 'must be an integer >= 2');
    }
    if (!Array.isArray(b.keys) || b.keys.length === 0) err('blocking.keys', 'must be a non-empty array');
    else {
      const names = new Set<string>();
      b.keys.forEach((k: unknown, ki: number) => {
        const kp = `blocking.keys[${ki}]`;
        if (!isObject(k)) return err(kp, 'must be an object');
        if (typeof k.name !== 'string' || k.name === '') err(`${kp}.name`, 'must be a non-empty string');
        else if (names.has(k.name)) err(`${kp}.name`, `duplicate key name "${k.name}"`);
        else names.add(k.name);
        if (!Array.isArray(k.parts) || k.parts.length === 0)
          return err(`${kp}.parts`, 'must be a non-empty array');
        k.parts.forEach((part: unknown, pi: number) => {
          if (typeof part !== 'string' || !BLOCKING_PARTS.includes(part)) {
            err(
              `${kp}.parts[${pi}]`,
              `unknown key part ${JSON.stringify(part)}; one of ${BLOCKING_PARTS.join(', ')}`,
            );
          }
        });
        if (k.refine !== undefined) {
          if (!Array.isArray(k.refine) || k.refine.length === 0)
            err(`${kp}.refine`, 'must be a non-empty array');
          else
            k.refine.forEach((part: unknown, pi: number) => {
              if (typeof part !== 'string' || !BLOCKING_PARTS.includes(part))
                err(`${kp}.refine[${pi}]`, `unknown key part ${JSON.stringify(part)}`);
            });
        }
        if (
          k.refineAbove !== undefined &&
          !(Number.isInteger(k.refineAbove) && (k.refineAbove as number) >= 2)
        )
          err(`${kp}.refineAbove`, 'must be an integer >= 2');
      });
    }
  }

  if (!isObject(r.prior) || !isNum(r.prior.log2Odds) || r.prior.log2Odds >= 0) {
    err('prior.log2Odds', 'must be a negative number (log2 odds that two random records are one person)');
  }
  const t = r.thresholds;
  if (!isObject(t) || !isNum(t.match) || !isNum(t.possible))
    err('thresholds', 'must have numbers "match" and "possible"');
  else if (t.possible > t.match) err('thresholds.possible', 'must not be above thresholds.match');

  if (!Array.isArray(r.hardRules)) err('hardRules', 'must be an array');
  else
    r.hardRules.forEach((h: unknown, hi: number) => {
      const hp = `hardRules[${hi}]`;
      if (!isObject(h)) return err(hp, 'must be an object');
      if (typeof h.name !== 'string' || h.name === '') err(`${hp}.name`, 'must be a non-empty string');
      if (typeof h.description !== 'string') err(`${hp}.description`, 'must be a string');
      checkLevelMap(h.when, `${hp}.when`, labelsByField, err);
      if (h.decision !== undefined && h.decision !== 'non-match' && h.decision !== 'possible') {
        err(`${hp}.decision`, 'must be "non-match" or "possible"');
      }
    });

  const em = r.em;
  if (!isObject(em)) err('em', 'must be an object');
  else {
    if (!(Number.isInteger(em.maxIterations) && (em.maxIterations as number) >= 0))
      err('em.maxIterations', 'must be an integer >= 0');
    if (!(isNum(em.tolerance) && em.tolerance > 0)) err('em.tolerance', 'must be a positive number');
    if (!(isNum(em.priorWeight) && em.priorWeight >= 0)) err('em.priorWeight', 'must be a number >= 0');
    if (!(Number.isInteger(em.uSamplePairs) && (em.uSamplePairs as number) >= 1000)) {
      err('em.uSamplePairs', 'must be an integer >= 1000');
    }
    if (!Array.isArray(em.sessions) || em.sessions.length === 0)
      err('em.sessions', 'must be a non-empty array');
    else {
      const estimated = new Set<string>();
      em.sessions.forEach((se: unknown, si: number) => {
        const sp = `em.sessions[${si}]`;
        if (!isObject(se)) return err(sp, 'must be an object');
        if (typeof se.name !== 'string' || se.name === '') err(`${sp}.name`, 'must be a non-empty string');
        checkLevelMap(se.fixed, `${sp}.fixed`, labelsByField, err);
        const fixed = isObject(se.fixed) ? Object.keys(se.fixed) : [];
        for (const f of labelsByField.keys()) if (!fixed.includes(f)) estimated.add(f);
      });
      for (const f of labelsByField.keys()) {
        if (!estimated.has(f))
          err('em.sessions', `field "${f}" is fixed in every session, so its m is never estimated`);
      }
    }
  }
  const tf = r.termFrequency;
  if (!isObject(tf) || !(isNum(tf.maxAdjustment) && tf.maxAdjustment >= 0)) {
    err('termFrequency.maxAdjustment', 'must be a number >= 0');
  }

  return errors.length > 0 ? { ok: false, errors } : { ok: true, rules: input as unknown as MatchRules };
}

/** Validated rules, or an Error listing every problem. */
export function parseRules(input: unknown): MatchRules {
  const v = validateRules(input);
  if (!v.ok) throw new Error(`invalid matching rules:\n  ${v.errors.join('\n  ')}`);
  return v.rules;
}
