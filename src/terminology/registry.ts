import type { ConceptMap } from './types';
import { SHIPPED_CONCEPT_MAPS } from './maps';

/**
 * ConceptMaps by canonical URL. A channel may register its own maps (a county's local codes) on a
 * registry of its own; the shipped maps stay untouched and shared.
 */
export class ConceptMapRegistry {
  private readonly byUrl = new Map<string, ConceptMap[]>();

  constructor(maps: readonly ConceptMap[] = []) {
    for (const map of maps) this.add(map);
  }

  add(map: ConceptMap): this {
    if (!map.url) throw new Error(`ConceptMap ${map.id ?? '(no id)'} has no url`);
    const versions = this.byUrl.get(map.url) ?? [];
    // A re-registered url/version replaces the earlier one: a channel override wins.
    const kept = versions.filter((m) => m.version !== map.version);
    this.byUrl.set(map.url, [...kept, map]);
    return this;
  }

  /** Looks up `url` or `url|version`; without a version the most recently added wins. */
  get(canonical: string): ConceptMap | undefined {
    const [url, version] = canonical.split('|');
    const versions = this.byUrl.get(url);
    if (!versions?.length) return undefined;
    if (version === undefined) return versions[versions.length - 1];
    return versions.find((m) => m.version === version);
  }

  require(canonical: string): ConceptMap {
    const map = this.get(canonical);
    if (!map) throw new Error(`Unknown ConceptMap ${canonical}`);
    return map;
  }

  list(): ConceptMap[] {
    return [...this.byUrl.values()].flat();
  }

  /** A new registry with these maps plus the extra ones (the extra ones override by url/version). */
  extend(extra: readonly ConceptMap[]): ConceptMapRegistry {
    return new ConceptMapRegistry([...this.list(), ...extra]);
  }
}

export const defaultRegistry = new ConceptMapRegistry(SHIPPED_CONCEPT_MAPS);
