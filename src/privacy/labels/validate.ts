import { parseFhirPath } from '@medplum/core';
import { CONFIDENTIALITY_ORDER, type ConfidentialityCode, type SegmentationRules } from './schema';

/**
 * Checks a segmentation rule set before it is used and reports every problem at once, each with its
 * JSON path ("codeRules[3].match.ranges[0]: ..."), so whoever edits the rules sees exactly what is wrong.
 */
export type RulesValidation = { ok: true; rules: SegmentationRules } | { ok: false; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isTextList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isText);
const RULE_ID = /^[a-z0-9][a-z0-9-]*$/;

type Err = (path: string, msg: string) => void;

function checkKeys(obj: Record<string, unknown>, allowed: string[], path: string, err: Err): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) err(`${path}.${k}`, 'unknown property');
}

function checkFhirPath(expr: unknown, path: string, err: Err): void {
  if (!isText(expr)) return err(path, 'must be a FHIRPath expression');
  try {
    parseFhirPath(expr);
  } catch (e) {
    err(path, `invalid FHIRPath: ${(e as Error).message}`);
  }
}

function checkPathMap(value: unknown, path: string, err: Err): void {
  if (!isObject(value)) return err(path, 'must map resource types to lists of FHIRPath expressions');
  for (const [type, exprs] of Object.entries(value)) {
    if (!/^[A-Z][A-Za-z]+$/.test(type)) err(`${path}.${type}`, 'must be a resource type name');
    if (!Array.isArray(exprs)) err(`${path}.${type}`, 'must be an array');
    else exprs.forEach((e, i) => checkFhirPath(e, `${path}.${type}[${i}]`, err));
  }
}

function checkEffect(
  r: Record<string, unknown>,
  path: string,
  labels: Set<string>,
  ids: Set<string>,
  err: Err,
): void {
  if (!isText(r.id) || !RULE_ID.test(r.id)) err(`${path}.id`, 'must be a kebab-case id');
  else if (ids.has(r.id)) err(`${path}.id`, `duplicate rule id "${r.id}"`);
  else ids.add(r.id);
  if (r.description !== undefined && typeof r.description !== 'string')
    err(`${path}.description`, 'must be a string');
  if (!isTextList(r.labels)) err(`${path}.labels`, 'must be an array of label codes');
  else
    r.labels.forEach((l, i) => {
      if (!labels.has(l)) err(`${path}.labels[${i}]`, `"${l}" is not in the labels catalogue`);
    });
  if (
    r.confidentiality !== undefined &&
    !CONFIDENTIALITY_ORDER.includes(r.confidentiality as ConfidentialityCode)
  ) {
    err(`${path}.confidentiality`, `must be one of ${CONFIDENTIALITY_ORDER.join(', ')}`);
  }
  if (r.basis !== undefined && !(isText(r.basis) && labels.has(r.basis)))
    err(`${path}.basis`, 'must be a code from the labels catalogue');
  if (Array.isArray(r.labels) && r.labels.length === 0 && r.confidentiality === undefined)
    err(path, 'sets nothing: give labels or a confidentiality');
}

function checkMatch(m: unknown, path: string, err: Err): void {
  if (!isObject(m)) return err(path, 'must be an object');
  checkKeys(m, ['ranges', 'prefixes', 'codes', 'exclude'], path, err);
  let any = false;
  if (m.ranges !== undefined) {
    if (!Array.isArray(m.ranges)) err(`${path}.ranges`, 'must be an array of [from, to] pairs');
    else
      m.ranges.forEach((r: unknown, i: number) => {
        const ok = Array.isArray(r) && r.length === 2 && isText(r[0]) && isText(r[1]);
        if (!ok) err(`${path}.ranges[${i}]`, 'must be a [from, to] pair of codes');
        else if (r[0].replace(/\./g, '').toUpperCase() > r[1].replace(/\./g, '').toUpperCase())
          err(`${path}.ranges[${i}]`, 'from must not sort after to');
        any = true;
      });
  }
  for (const k of ['prefixes', 'codes', 'exclude'] as const) {
    if (m[k] === undefined) continue;
    if (!isTextList(m[k])) err(`${path}.${k}`, 'must be an array of codes');
    else if (k !== 'exclude' && m[k].length) any = true;
  }
  if (!any) err(path, 'matches nothing: give ranges, prefixes or codes');
}

export function validateRules(input: unknown): RulesValidation {
  const errors: string[] = [];
  const err: Err = (path, msg) => errors.push(`${path}: ${msg}`);
  if (!isObject(input)) return { ok: false, errors: ['(root): must be an object'] };
  const r = input;
  checkKeys(
    r,
    [
      '$comment',
      'id',
      'version',
      'description',
      'labels',
      'codePaths',
      'codeRules',
      'sourceRules',
      'typeRules',
      'propagation',
    ],
    '(root)',
    err,
  );
  if (!isText(r.id)) err('id', 'must be a non-empty string');
  if (!isText(r.version)) err('version', 'must be a non-empty string');

  const labels = new Set<string>();
  if (!isObject(r.labels) || Object.keys(r.labels).length === 0) err('labels', 'must be a non-empty object');
  else
    for (const [code, def] of Object.entries(r.labels)) {
      labels.add(code);
      if (!isObject(def) || !isText(def.system) || !isText(def.display))
        err(`labels.${code}`, 'must have a system and a display');
    }

  checkPathMap(r.codePaths, 'codePaths', err);
  const ids = new Set<string>();
  const eachRule = (key: string, check: (rule: Record<string, unknown>, path: string) => void): void => {
    const value = r[key];
    if (!Array.isArray(value)) return err(key, 'must be an array');
    value.forEach((x: unknown, i: number) =>
      isObject(x) ? check(x, `${key}[${i}]`) : err(`${key}[${i}]`, 'must be an object'),
    );
  };
  eachRule('codeRules', (c, p) => {
    checkKeys(
      c,
      ['id', 'description', 'system', 'match', 'resourceTypes', 'labels', 'confidentiality', 'basis'],
      p,
      err,
    );
    checkEffect(c, p, labels, ids, err);
    if (!isText(c.system)) err(`${p}.system`, 'must be a code system URI');
    checkMatch(c.match, `${p}.match`, err);
    if (c.resourceTypes !== undefined && !isTextList(c.resourceTypes))
      err(`${p}.resourceTypes`, 'must be an array of resource types');
  });
  eachRule('sourceRules', (s, p) => {
    checkKeys(s, ['id', 'description', 'when', 'labels', 'confidentiality', 'basis'], p, err);
    checkEffect(s, p, labels, ids, err);
    const w = s.when;
    if (!isObject(w)) return err(`${p}.when`, 'must be an object');
    checkKeys(w, ['part2Program', 'organizations'], `${p}.when`, err);
    if (w.part2Program !== undefined && typeof w.part2Program !== 'boolean')
      err(`${p}.when.part2Program`, 'must be a boolean');
    if (w.organizations !== undefined && !isTextList(w.organizations))
      err(`${p}.when.organizations`, 'must be an array of organization ids');
    if (w.part2Program === undefined && w.organizations === undefined)
      err(`${p}.when`, 'must give part2Program or organizations');
  });
  eachRule('typeRules', (t, p) => {
    checkKeys(
      t,
      ['id', 'description', 'resourceTypes', 'where', 'labels', 'confidentiality', 'basis'],
      p,
      err,
    );
    checkEffect(t, p, labels, ids, err);
    if (!isTextList(t.resourceTypes) || t.resourceTypes.length === 0)
      err(`${p}.resourceTypes`, 'must be a non-empty array of resource types');
    if (t.where !== undefined) {
      const w = t.where;
      if (!isObject(w)) return err(`${p}.where`, 'must be an object');
      checkFhirPath(w.path, `${p}.where.path`, err);
      if (!isText(w.system)) err(`${p}.where.system`, 'must be a code system URI');
      if (!isTextList(w.codes) || w.codes.length === 0) err(`${p}.where.codes`, 'must be a non-empty array');
    }
  });
  const prop = r.propagation;
  if (!isObject(prop)) err('propagation', 'must be an object');
  else {
    checkKeys(prop, ['id', 'description', 'labels', 'confidentiality', 'paths'], 'propagation', err);
    if (!isText(prop.id) || !RULE_ID.test(prop.id)) err('propagation.id', 'must be a kebab-case id');
    else if (ids.has(prop.id)) err('propagation.id', `duplicate rule id "${prop.id}"`);
    if (!isTextList(prop.labels)) err('propagation.labels', 'must be an array of label codes');
    else
      prop.labels.forEach((l, i) => {
        if (!labels.has(l)) err(`propagation.labels[${i}]`, `"${l}" is not in the labels catalogue`);
      });
    if (typeof prop.confidentiality !== 'boolean') err('propagation.confidentiality', 'must be a boolean');
    checkPathMap(prop.paths, 'propagation.paths', err);
  }
  return errors.length ? { ok: false, errors } : { ok: true, rules: input as unknown as SegmentationRules };
}

/** Validates and returns the rules, or throws one error listing every problem. */
export function parseRules(input: unknown): SegmentationRules {
  const v = validateRules(input);
  if (!v.ok) throw new Error(`Invalid segmentation rules:\n  ${v.errors.join('\n  ')}`);
  return v.rules;
}
