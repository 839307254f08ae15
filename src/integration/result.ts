import type { Identifier, Reference, Resource, ResourceType } from './fhir/types';
import type { Issue } from './issues';
import { conditionalUrl, fullUrlFor, naturalKey } from './keys';

/** Where a mapped resource came from, for Provenance and for tracing a dead letter back. */
export type Origin =
  | { kind: 'hl7'; controlId?: string; segment: string; sequence: number }
  | { kind: 'row'; file: string; row: number };

export interface MappedResource<T extends Resource = Resource> {
  /** Stable natural key, `ResourceType|system|value`; identical on every re-send of the same record. */
  key: string;
  resourceType: T['resourceType'];
  /** `upsert` = conditional update; `delete` = the source deleted the record (HMIS DateDeleted). */
  action: 'upsert' | 'delete';
  /** The business identifier the key is made of (also present in resource.identifier). */
  identifier: Identifier;
  /** e.g. `Patient?identifier=sys|val`: PUT to it for an idempotent create-or-update. */
  conditionalUrl: string;
  /** Deterministic `urn:uuid:` used by references between resources of the same result. */
  fullUrl: string;
  resource: T;
  /** Keys of the resources of this result that this one references (commit them first). */
  dependsOn: string[];
  origin: Origin[];
}

/** Instruction for the identity module: the retired record is merged into the survivor (ADT^A40). */
export interface MergeInstruction {
  survivor: Identifier;
  /** Key of the survivor Patient in this result, when the message also carried its demographics. */
  survivorKey?: string;
  retired: Identifier[];
  origin: Origin;
}

export interface MappingResult {
  resources: MappedResource[];
  merges: MergeInstruction[];
  issues: Issue[];
}

/**
 * Collects the resources of one mapping run. Mappers always reference other resources by their
 * conditional URL; `finish()` rewrites those that are part of this result to the bundle fullUrl and
 * records the dependency, so mappers never depend on the order in which resources were added.
 */
export class ResultBuilder {
  private readonly byKey = new Map<string, MappedResource>();
  readonly merges: MergeInstruction[] = [];
  readonly issues: Issue[] = [];

  add<T extends Resource>(
    resource: T,
    identifier: Identifier,
    origin: Origin,
    action: 'upsert' | 'delete' = 'upsert',
  ): MappedResource<T> {
    const resourceType = resource.resourceType as T['resourceType'];
    const key = naturalKey(resourceType, identifier);
    const existing = this.byKey.get(key);
    if (existing) {
      // The same record twice in one input: the later one wins, both origins are kept.
      existing.resource = resource;
      existing.action = action;
      existing.origin.push(origin);
      return existing as MappedResource<T>;
    }
    const mapped: MappedResource<T> = {
      key,
      resourceType,
      action,
      identifier,
      conditionalUrl: conditionalUrl(resourceType, identifier),
      fullUrl: fullUrlFor(key),
      resource,
      dependsOn: [],
      origin: [origin],
    };
    this.byKey.set(key, mapped);
    return mapped;
  }

  has(resourceType: ResourceType, identifier: Identifier): boolean {
    return this.byKey.has(naturalKey(resourceType, identifier));
  }

  get(resourceType: ResourceType, identifier: Identifier): MappedResource | undefined {
    return this.byKey.get(naturalKey(resourceType, identifier));
  }

  issue(...issues: Issue[]): void {
    this.issues.push(...issues);
  }

  finish(): MappingResult {
    const byConditional = new Map<string, MappedResource>();
    for (const m of this.byKey.values()) byConditional.set(m.conditionalUrl, m);
    const resources = [...this.byKey.values()];
    for (const m of resources) {
      const deps = new Set<string>();
      rewriteReferences(m.resource, (ref) => {
        const target = ref.reference ? byConditional.get(ref.reference) : undefined;
        if (!target || target === m) return;
        ref.reference = target.fullUrl;
        deps.add(target.key);
      });
      m.dependsOn = [...deps];
    }
    return { resources, merges: this.merges, issues: this.issues };
  }
}

/** A reference by natural key; becomes a fullUrl if the target is in the same result. */
export function refTo(resourceType: ResourceType, identifier: Identifier, display?: string): Reference {
  const ref: Reference = { reference: conditionalUrl(resourceType, identifier) };
  if (display) ref.display = display;
  return ref;
}

function rewriteReferences(node: unknown, visit: (ref: Reference) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteReferences(item, visit);
  } else if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    if (typeof obj.reference === 'string') visit(obj as Reference);
    for (const value of Object.values(obj))
      if (value && typeof value === 'object') rewriteReferences(value, visit);
  }
}

/** Merges several results (e.g. the messages of one batch file) into one. */
export function combineResults(results: readonly MappingResult[]): MappingResult {
  return {
    resources: results.flatMap((r) => r.resources),
    merges: results.flatMap((r) => r.merges),
    issues: results.flatMap((r) => r.issues),
  };
}
