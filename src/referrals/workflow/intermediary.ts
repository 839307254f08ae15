import type { Reference, ServiceRequest, Task } from '@medplum/fhirtypes';
import { FhirError } from '../../fhir/errors';
import { validationIssues } from '../../fhir/validate';
import { splitReference, type FhirStore } from '../../store';
import { isReferralTask } from './referral-task';

export interface ForwardOptions {
  /** The organization that will do the work (Task.owner of the new referral). */
  owner: Reference;
  note?: string;
}

/**
 * An intermediary (a coordination platform) passes a referral it received on to the organization
 * that will serve the client, as the Gravity guide describes: a ServiceRequest with
 * intent `filler-order` based on the original, and a child Task `partOf` the original Task,
 * requested by the intermediary. Both are written in one transaction, through the state machine
 * (the caller must be the receiving side of the original).
 */
export async function forwardReferral(
  store: FhirStore,
  parentTaskId: string,
  opts: ForwardOptions,
): Promise<{ task: Task; serviceRequest: ServiceRequest }> {
  return store.inTransaction(async (tx) => {
    const parent = await tx.readResource<Task>('Task', parentTaskId);
    if (!isReferralTask(parent))
      throw new FhirError('invalid_value', `Task/${parentTaskId} is not a referral`);
    if (!parent.owner)
      throw new FhirError('invalid_value', 'The referral has no owner to forward from', 'Task.owner');
    const { type, id } = splitReference(parent.focus?.reference ?? '');
    if (type !== 'ServiceRequest' || !id)
      throw new FhirError('invalid_value', 'The referral focus is not a local ServiceRequest');
    const original = await tx.readResource<ServiceRequest>('ServiceRequest', id);
    const { id: _i, meta: _m, identifier: _x, text: _t, ...copy } = original;
    const sr: ServiceRequest = {
      ...copy,
      intent: 'filler-order',
      basedOn: [{ reference: `ServiceRequest/${id}` }],
      requester: parent.owner as ServiceRequest['requester'],
      performer: [opts.owner as NonNullable<ServiceRequest['performer']>[number]],
      authoredOn: new Date().toISOString(),
    };
    check(sr);
    const srResult = await tx.create(sr);
    const child: Task = {
      resourceType: 'Task',
      meta: parent.meta?.profile ? { profile: parent.meta.profile } : undefined,
      status: 'requested',
      intent: 'order',
      code: parent.code,
      partOf: [{ reference: `Task/${parentTaskId}` }],
      basedOn: [{ reference: `ServiceRequest/${id}` }],
      focus: { reference: `ServiceRequest/${srResult.resource.id}` },
      for: parent.for,
      authoredOn: new Date().toISOString(),
      requester: parent.owner as Task['requester'],
      owner: opts.owner as Task['owner'],
      ...(opts.note ? { note: [{ text: opts.note }] } : {}),
    };
    if (!child.meta) delete child.meta;
    check(child);
    const taskResult = await tx.create(child);
    return { task: taskResult.resource as Task, serviceRequest: srResult.resource as ServiceRequest };
  });
}

function check(r: Task | ServiceRequest): void {
  const issues = validationIssues(r);
  if (issues.length) throw new FhirError('validation_failed', issues);
}
