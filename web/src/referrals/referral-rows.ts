import type { Bundle, Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { formatConcept, formatName } from '../fhir/format';
import { SDOH_SYSTEM, sdohDisplay } from './sdoh';

/** One referral as the lists show it: the Task with its request and person. */
export interface ReferralRow {
  task: Task;
  request?: ServiceRequest;
  person?: string;
  category: string;
  service?: string;
}

export function referralCategoryText(sr: ServiceRequest | undefined): string {
  const sdoh = (sr?.category ?? []).flatMap((c) => c.coding ?? []).find((c) => c.system === SDOH_SYSTEM);
  return sdoh ? sdohDisplay(sdoh.code) : (formatConcept(sr?.category?.[0]) ?? 'No category');
}

/** Tasks of a search with `_include=Task:focus` and `_include=Task:patient`, joined. */
export function referralRows(bundle: Bundle): ReferralRow[] {
  const byKey = new Map<string, ServiceRequest | Patient>();
  for (const e of bundle.entry ?? []) {
    const r = e.resource;
    if (r && (r.resourceType === 'ServiceRequest' || r.resourceType === 'Patient') && r.id)
      byKey.set(`${r.resourceType}/${r.id}`, r);
  }
  return (bundle.entry ?? [])
    .filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === 'Task')
    .map((e) => {
      const task = e.resource as Task;
      const request = byKey.get(task.focus?.reference ?? '') as ServiceRequest | undefined;
      const patient = byKey.get(task.for?.reference ?? '') as Patient | undefined;
      return {
        task,
        request,
        person: patient ? formatName(patient.name) : task.for?.display,
        category: referralCategoryText(request),
        service: request?.code?.text ?? formatConcept(request?.code) ?? task.description,
      };
    });
}
