import type { ReactElement } from 'react';
import { matchPath } from '../router/router';
import { DashboardPage } from './dashboard-page';
import { DirectoryPage } from './directory-page';
import { ReferralPage } from './referral-page';
import { ReferralsPage } from './referrals-page';
import { SendReferralPage } from './send-referral-page';
import './referrals.css';

/** The directory and referral pages, or undefined when the path is not theirs. */
export function referralsPage(pathname: string): ReactElement | undefined {
  if (pathname === '/directory') return <DirectoryPage />;
  if (pathname === '/referrals') return <ReferralsPage />;
  if (pathname === '/referrals/new') return <SendReferralPage />;
  if (pathname === '/referrals/dashboard') return <DashboardPage />;
  const one = matchPath('/referrals/Task/:id', pathname);
  if (one) return <ReferralPage key={one.id} id={one.id} />;
  return undefined;
}
