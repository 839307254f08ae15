import type { Patient } from '@medplum/fhirtypes';
import { useEffect, useRef } from 'react';
import { kithFhir } from '../fhir/kith';
import { navigate, useLocation, withQuery } from '../router/router';
import { useDocumentTitle } from '../ui/document-title';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { rememberSearch } from './last-search';
import { PersonResults, RESULTS_HEADING } from './person-results';
import { PersonSearchForm } from './person-search-form';
import { criteriaFromQuery, fhirSearchParams, hasCriteria, type SearchCriteria } from './person-search-query';

/** Person search: the criteria live in the page URL, so results can be bookmarked and Back works. */
export function PersonSearchPage() {
  const { query, href } = useLocation();
  const criteria = criteriaFromQuery(query);
  const active = hasCriteria(criteria);
  const key = active ? JSON.stringify(criteria) : undefined;
  const result = useLoad(key, (signal) =>
    kithFhir.search<Patient>('Patient', fhirSearchParams(criteria), signal),
  );
  useDocumentTitle(active ? 'Person search results' : 'Person search');
  useEffect(() => rememberSearch(href), [href]);
  const formKey = `${criteria.name}|${criteria.birthdate}|${criteria.identifier}`;

  const go = (c: SearchCriteria): void => navigate(withQuery('/', { ...c }));

  // After paging, focus the results heading so keyboard and screen reader users start at the new page.
  const focusResults = useRef(false);
  const done = result.status === 'done';
  useEffect(() => {
    if (!done || !focusResults.current) return;
    focusResults.current = false;
    document.getElementById(RESULTS_HEADING)?.focus();
  }, [done, key]);
  const page = (offset: number): void => {
    focusResults.current = true;
    go({ ...criteria, offset });
  };

  return (
    <div className="page">
      <h1 tabIndex={-1}>Person search</h1>
      <p className="lede">
        Find a person&apos;s records from every source system by name, birth date or identifier.
      </p>
      <PersonSearchForm key={formKey} initial={criteria} onSearch={(c) => go({ ...c, offset: 0 })} />
      {result.status === 'loading' && (
        <p className="loading" role="status">
          Searching…
        </p>
      )}
      {result.status === 'error' && <OutcomeAlert error={result.error} />}
      {result.status === 'done' && (
        <PersonResults bundle={result.data} offset={criteria.offset} onPage={page} />
      )}
    </div>
  );
}
