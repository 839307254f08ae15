import type { ReactElement } from 'react';
import { matchPath } from '../router/router';
import { ConsentsPage } from './consents-page';
import { DisclosuresPage } from './disclosures-page';

/** The privacy pages of one person: /Patient/:id/consents and /Patient/:id/disclosures. */
export function privacyPage(pathname: string): ReactElement | undefined {
  const consents = matchPath('/Patient/:id/consents', pathname);
  if (consents) return <ConsentsPage key={consents.id} patientId={consents.id} />;
  const disclosures = matchPath('/Patient/:id/disclosures', pathname);
  if (disclosures) return <DisclosuresPage key={disclosures.id} patientId={disclosures.id} />;
  return undefined;
}
