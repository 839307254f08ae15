import type { Coding, Extension, Meta, Resource } from '@medplum/fhirtypes';
import {
  codeMatches,
  codingsAt,
  compileMatch,
  localReference,
  referencesAt,
  type CompiledMatch,
} from './codes';
import {
  ACT_CODE_SYSTEM,
  CUSTODIAN_EXTENSION,
  confidentialityDefinition,
  confidentialityRank,
  custodianOf,
  isConfidentiality,
  labelOrigin,
  ruleLabelCoding,
} from './coding';
import { defaultRules } from './default-rules';
import { BUILT_IN_RULES, type ConfidentialityCode, type RuleEffect, type SegmentationRules } from './schema';

export interface LabelContext {
  /**
   * The organization the record comes from: on create, the writer's organization or the source
   * system's; on update, the stored record's custodian. Sets source-rule labels and the custodian.
   */
  sourceOrganization?: { id: string; part2Program: boolean };
  /** The resources this one is derived from (fetch them with `derivationReferences`, plus Provenance). */
  derivedFrom?: Resource[];
  /** The stored version on update: its asserted labels and its custodian carry over. */
  previous?: Resource;
  /** Set for administrators and data stewards: labels they leave out of an update are really removed. */
  allowLabelRemoval?: boolean;
}

/** One label on the result and the rule that set it (`asserted`: put there by a person or the source). */
export interface AppliedLabel {
  system: string;
  code: string;
  ruleId: string;
  ruleVersion: string;
  /** For propagated labels: the resource the label came from. */
  from?: string;
}

export interface LabelResult<T extends Resource = Resource> {
  resource: T;
  labels: AppliedLabel[];
}

interface Hit {
  code: string;
  ruleId: string;
  basis?: string;
  from?: string;
}

interface Compiled {
  rules: SegmentationRules;
  matches: Map<string, CompiledMatch>;
}

let cache: { rules: SegmentationRules; compiled: Compiled } | undefined;

function compile(rules: SegmentationRules): Compiled {
  if (cache?.rules === rules) return cache.compiled;
  const compiled = { rules, matches: new Map(rules.codeRules.map((r) => [r.id, compileMatch(r.match)])) };
  cache = { rules, compiled };
  return compiled;
}

const key = (c: Pick<Coding, 'system' | 'code'>) => `${c.system}|${c.code}`;

/** Walks every rule over the resource; returns label hits and the confidentiality the rules call for. */
function ruleHits(resource: Resource, ctx: LabelContext, c: Compiled) {
  const { rules } = c;
  const hits: Hit[] = [];
  let conf: { code: ConfidentialityCode; ruleId: string; from?: string } | undefined;
  const fire = (ruleId: string, effect: RuleEffect, from?: string) => {
    for (const code of effect.labels) hits.push({ code, ruleId, basis: effect.basis, from });
    if (
      effect.confidentiality &&
      confidentialityRank(effect.confidentiality) > confidentialityRank(conf?.code)
    )
      conf = { code: effect.confidentiality, ruleId, from };
  };
  const type = resource.resourceType;

  const org = ctx.sourceOrganization;
  for (const rule of rules.sourceRules) {
    const w = rule.when;
    if (!org) break;
    if (w.part2Program !== undefined && w.part2Program !== org.part2Program) continue;
    if (w.organizations && !w.organizations.includes(org.id)) continue;
    fire(rule.id, rule);
  }
  for (const rule of rules.typeRules) {
    if (!rule.resourceTypes.includes(type)) continue;
    const w = rule.where;
    if (
      w &&
      !codingsAt(resource, [w.path]).some((cd) => cd.system === w.system && w.codes.includes(cd.code!))
    )
      continue;
    fire(rule.id, rule);
  }
  const codings = codingsAt(resource, rules.codePaths[type] ?? []);
  for (const rule of rules.codeRules) {
    if (rule.resourceTypes && !rule.resourceTypes.includes(type)) continue;
    const m = c.matches.get(rule.id)!;
    if (codings.some((cd) => cd.system === rule.system && codeMatches(m, cd.code!))) fire(rule.id, rule);
  }
  const prop = rules.propagation;
  for (const source of ctx.derivedFrom ?? []) {
    const from = `${source.resourceType}/${source.id}`;
    for (const cd of source.meta?.security ?? []) {
      if (cd.system === ACT_CODE_SYSTEM && cd.code && prop.labels.includes(cd.code))
        hits.push({ code: cd.code, ruleId: prop.id, from });
      else if (prop.confidentiality && isConfidentiality(cd))
        fire(prop.id, { labels: [], confidentiality: cd.code as ConfidentialityCode }, from);
    }
  }
  return { hits, conf };
}

/** Labels put there by a person or a source system (no Kith rule origin), kept across updates. */
function assertedLabels(resource: Resource, ctx: LabelContext): Coding[] {
  const out: Coding[] = [];
  const seen = new Set<string>();
  const add = (cd: Coding) => {
    if (!cd.code || labelOrigin(cd) || seen.has(key(cd))) return;
    seen.add(key(cd));
    out.push(cd);
  };
  (resource.meta?.security ?? []).forEach(add);
  if (!ctx.allowLabelRemoval) (ctx.previous?.meta?.security ?? []).forEach(add);
  return out;
}

/**
 * Sets `meta.security` on a resource from the segmentation rules: labels by source organization,
 * by resource type or category, by code, and copied from the resources it was derived from; the
 * confidentiality becomes the highest any rule or asserted label calls for. Labels a person or the
 * source put there are kept; labels an earlier rule set are recomputed (a corrected code drops them).
 * Each rule-set label carries the DS4P classifier naming its rule and rule-set version. Also records
 * the custodian organization in `meta.extension`. Pure: returns a new resource.
 */
export function labelResource<T extends Resource>(
  resource: T,
  ctx: LabelContext = {},
  rules: SegmentationRules = defaultRules,
): LabelResult<T> {
  const c = compile(rules);
  const { hits, conf } = ruleHits(resource, ctx, c);
  const asserted = assertedLabels(resource, ctx);
  const version = rules.version;
  const labels: AppliedLabel[] = [];
  const security: Coding[] = [];

  // Confidentiality: one code, the highest of what was asserted and what the rules call for.
  const assertedConf = asserted
    .filter(isConfidentiality)
    .sort((a, b) => confidentialityRank(b.code) - confidentialityRank(a.code))[0];
  if (conf && confidentialityRank(conf.code) > confidentialityRank(assertedConf?.code)) {
    const def = confidentialityDefinition(conf.code);
    security.push(
      ruleLabelCoding(conf.code, def, {
        ruleId: conf.ruleId,
        ruleVersion: version,
        rulesId: rules.id,
        from: conf.from,
      }),
    );
    labels.push({
      system: def.system,
      code: conf.code,
      ruleId: conf.ruleId,
      ruleVersion: version,
      from: conf.from,
    });
  } else if (assertedConf) {
    security.push(assertedConf);
    labels.push({
      system: assertedConf.system!,
      code: assertedConf.code!,
      ruleId: BUILT_IN_RULES.asserted,
      ruleVersion: version,
    });
  }

  const present = new Set<string>();
  for (const cd of asserted) {
    if (isConfidentiality(cd)) continue;
    present.add(key(cd));
    security.push(cd);
    labels.push({
      system: cd.system ?? '',
      code: cd.code!,
      ruleId: BUILT_IN_RULES.asserted,
      ruleVersion: version,
    });
  }
  for (const hit of hits) {
    const def = rules.labels[hit.code];
    if (!def || present.has(key({ system: def.system, code: hit.code }))) continue;
    present.add(key({ system: def.system, code: hit.code }));
    const basisDef = hit.basis ? rules.labels[hit.basis] : undefined;
    const basis = basisDef
      ? { system: basisDef.system, code: hit.basis, display: basisDef.display }
      : undefined;
    security.push(
      ruleLabelCoding(hit.code, def, {
        ruleId: hit.ruleId,
        ruleVersion: version,
        rulesId: rules.id,
        basis,
        from: hit.from,
      }),
    );
    labels.push({
      system: def.system,
      code: hit.code,
      ruleId: hit.ruleId,
      ruleVersion: version,
      from: hit.from,
    });
  }

  const custodian = ctx.sourceOrganization?.id ?? (ctx.previous ? custodianOf(ctx.previous) : undefined);
  const extension: Extension[] = (resource.meta?.extension ?? []).filter(
    (e) => e.url !== CUSTODIAN_EXTENSION,
  );
  if (custodian)
    extension.push({ url: CUSTODIAN_EXTENSION, valueReference: { reference: `Organization/${custodian}` } });

  const meta: Meta = { ...resource.meta };
  if (security.length) meta.security = security;
  else delete meta.security;
  if (extension.length) meta.extension = extension;
  else delete meta.extension;
  const out = { ...resource, meta } as T;
  if (Object.keys(meta).length === 0) delete out.meta;
  return { resource: out, labels };
}

/**
 * The resources a resource is derived from, as "Type/id", per the propagation paths: fetch them
 * (with the caller's rights set aside: labels must propagate even from what the writer cannot read)
 * and pass them as `derivedFrom`.
 */
export function derivationReferences(resource: Resource, rules: SegmentationRules = defaultRules): string[] {
  const paths = rules.propagation.paths[resource.resourceType] ?? [];
  const refs = new Set<string>();
  for (const r of referencesAt(resource, paths)) {
    const local = localReference(r);
    if (local) refs.add(local);
  }
  return [...refs];
}
