import { capabilityAt } from './capabilities';
import { Layout } from './layout/layout';
import { DataSourcesPage } from './pages/admin/data-sources';
import { ComingSoon } from './pages/coming-soon';
import { InboxPage } from './inbox/inbox-page';
import { ReferralResponsePage } from './referrals/link-response-page';
import { CreatePersonPage } from './pages/identity/create-person';
import { MERGE_PATH, MergePersonsPage } from './pages/identity/merge-persons';
import { ReviewQueuePage } from './pages/identity/review-queue';
import { NotFound } from './pages/not-found';
import { PersonPage } from './pages/person-page';
import { PersonSearchPage } from './pages/person-search';
import { privacyPage } from './privacy/routes';
import { referralsPage } from './referrals/routes';
import { matchPath, useLocation } from './router/router';
import { SignInPage } from './pages/sign-in';
import { useSession } from './session/session';

/** Chooses the page for the current path. */
function Page({ pathname }: { pathname: string }) {
  if (pathname === '/') return <PersonSearchPage />;
  if (pathname === '/people/new') return <CreatePersonPage />;
  if (pathname === '/steward/identity-review') return <ReviewQueuePage />;
  if (pathname === MERGE_PATH) return <MergePersonsPage />;
  if (pathname === '/admin/data-sources') return <DataSourcesPage />;
  if (pathname === '/inbox') return <InboxPage />;
  const person = matchPath('/Patient/:id', pathname);
  if (person) return <PersonPage key={person.id} id={person.id} />;
  const privacy = privacyPage(pathname);
  if (privacy) return privacy;
  const referrals = referralsPage(pathname);
  if (referrals) return referrals;
  const capability = capabilityAt(pathname);
  if (capability?.coming) return <ComingSoon key={capability.path} capability={capability} />;
  return <NotFound pathname={pathname} />;
}

export function App() {
  const { pathname } = useLocation();
  const session = useSession();
  // A referral link is its own credential: the receiving organization needs no account.
  if (pathname === '/referral-response') return <ReferralResponsePage />;
  // The page loads without a token; everything it shows needs one.
  if (session.status === 'loading') return null;
  if (session.status === 'signed-out') return <SignInPage notice={session.reason} />;
  return (
    <Layout pathname={pathname}>
      <Page pathname={pathname} />
    </Layout>
  );
}
