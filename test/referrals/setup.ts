import { startTestKith, type TestKith } from '../helpers/kith';
import { installNotify, type NotifyOptions } from '../../src/notify';
import { installReferrals } from '../../src/referrals';
import type { Caller } from '../../src/privacy/caller';

/** A test Kith with the notifications core and the referrals capability installed (idempotent). */
export async function startReferralKith(opts: NotifyOptions = {}): Promise<TestKith> {
  const t = await startTestKith();
  await installNotify(t.kith);
  await installReferrals(t.kith);
  await installNotify(t.kith, t.app, opts);
  await installReferrals(t.kith, t.app);
  return t;
}

/**
 * A user acting for an organization (the shape sign-in builds from a token). The access policy
 * applies to it: as a HIPAA covered entity coordinating care it sees the referrals' unlabeled data
 * without a consent, so these tests exercise the referral rules; CBOs without consent are
 * test/privacy's subject.
 */
export function orgCaller(orgId: string, subject = `user-of-${orgId}`): Caller {
  return {
    kind: 'user',
    subject,
    organization: { id: orgId, kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
    accessLevel: 'edit',
    roles: [],
    purposeOfUse: 'CAREMGT',
    scopes: [{ context: 'user', type: '*', ops: 'cruds' }],
  };
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
  step = 50,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, step));
  }
}
