import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';

/** One slice of `$referral-metrics`: overall, one receiving organization, one category, or both. */
export interface MetricsGroup {
  slice: 'overall' | 'owner' | 'category' | 'owner-category';
  /** `Organization/<id>` */
  owner?: string;
  category?: string;
  total: number;
  byStatus: Record<string, number>;
  hoursToAcceptance?: number;
  hoursToCompletion?: number;
  closed: number;
  closedWithOutcome: number;
  shareClosedWithOutcome?: number;
}

function part(p: ParametersParameter, name: string): ParametersParameter | undefined {
  return p.part?.find((x) => x.name === name);
}

/** Reads the operation's Parameters (one `group` per slice) into plain objects. */
export function readMetrics(params: Parameters): MetricsGroup[] {
  return (params.parameter ?? [])
    .filter((p) => p.name === 'group')
    .map((g) => {
      const byStatus: Record<string, number> = {};
      for (const c of g.part?.filter((x) => x.name === 'count') ?? []) {
        const s = part(c, 'status')?.valueCode;
        if (s) byStatus[s] = part(c, 'n')?.valueInteger ?? 0;
      }
      return {
        slice: (part(g, 'slice')?.valueCode ?? 'overall') as MetricsGroup['slice'],
        owner: part(g, 'owner')?.valueReference?.reference,
        category: part(g, 'category')?.valueString,
        total: part(g, 'total')?.valueInteger ?? 0,
        byStatus,
        hoursToAcceptance: part(g, 'median-hours-to-acceptance')?.valueDecimal,
        hoursToCompletion: part(g, 'median-hours-to-completion')?.valueDecimal,
        closed: part(g, 'closed')?.valueInteger ?? 0,
        closedWithOutcome: part(g, 'closed-with-outcome')?.valueInteger ?? 0,
        shareClosedWithOutcome: part(g, 'share-closed-with-outcome')?.valueDecimal,
      };
    });
}

/** "45 min", "3.5 h", "2.1 days": a median duration as people read it. */
export function durationText(hours: number | undefined): string {
  if (hours === undefined) return '—';
  if (hours * 60 < 1) return 'under 1 min';
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} days`;
}

export function percentText(share: number | undefined): string {
  return share === undefined ? '—' : `${Math.round(share * 100)}%`;
}
