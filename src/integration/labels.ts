import { SYSTEMS } from '../terminology';
import type { Coding } from './fhir/types';

/**
 * HL7 DS4P security labels the mappers attach in meta.security. A sensitivity label always comes
 * with the restricted (R) confidentiality code: Kith's consent layer withholds R data unless a
 * Consent permits it, so data is labelled at the door rather than after someone has seen it.
 */
const restricted: Coding = { system: SYSTEMS.v3Confidentiality, code: 'R', display: 'restricted' };

export const LABELS = {
  /** Sexual and domestic violence (VAWA-protected survivor information, victim service providers). */
  domesticViolence: [
    {
      system: SYSTEMS.v3ActCode,
      code: 'SDV',
      display: 'sexual assault, domestic violence information sensitivity',
    },
    restricted,
  ],
  hiv: [{ system: SYSTEMS.v3ActCode, code: 'HIV', display: 'HIV/AIDS information sensitivity' }, restricted],
  psychiatric: [
    { system: SYSTEMS.v3ActCode, code: 'PSY', display: 'psychiatry disorder information sensitivity' },
    restricted,
  ],
  substanceUse: [
    { system: SYSTEMS.v3ActCode, code: 'ETH', display: 'substance abuse information sensitivity' },
    restricted,
  ],
} satisfies Record<string, Coding[]>;

/** Union of label sets without duplicates (a DV enrollment's HIV answer carries both). */
export function mergeLabels(...sets: (readonly Coding[] | undefined)[]): Coding[] | undefined {
  const out: Coding[] = [];
  for (const set of sets) {
    for (const c of set ?? [])
      if (!out.some((o) => o.system === c.system && o.code === c.code)) out.push({ ...c });
  }
  return out.length ? out : undefined;
}
