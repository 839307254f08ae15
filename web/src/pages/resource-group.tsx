import { useState } from 'react';
import type { ResourceGroup } from '../fhir/groups';
import type { Summary } from '../fhir/summaries';

const FIRST_SHOWN = 10;

export function groupId(resourceType: string): string {
  return `group-${resourceType}`;
}

/** One type of resource as a section: a heading with the count, then one readable item each. */
export function ResourceGroupSection({ group }: { group: ResourceGroup }) {
  const [showAll, setShowAll] = useState(false);
  const items = showAll ? group.items : group.items.slice(0, FIRST_SHOWN);
  const headingId = `${groupId(group.resourceType)}-heading`;
  const listId = `${groupId(group.resourceType)}-list`;
  return (
    <section className="resource-group panel" id={groupId(group.resourceType)} aria-labelledby={headingId}>
      <h2 id={headingId}>
        {group.label} <span className="count">{group.items.length}</span>
      </h2>
      <ul className="summary-list" id={listId}>
        {items.map(({ resource, summary }) => (
          <li key={`${resource.resourceType}/${resource.id}`}>
            <SummaryItem summary={summary} />
          </li>
        ))}
      </ul>
      {group.items.length > FIRST_SHOWN && (
        <button
          type="button"
          className="button link-button"
          aria-expanded={showAll}
          aria-controls={listId}
          onClick={() => setShowAll((s) => !s)}
        >
          {showAll
            ? `Show the first ${FIRST_SHOWN}`
            : `Show all ${group.items.length} ${group.label.toLowerCase()}`}
        </button>
      )}
    </section>
  );
}

function SummaryItem({ summary }: { summary: Summary }) {
  return (
    <article className="summary">
      <div className="summary-head">
        <h3>{summary.title}</h3>
        {summary.status && (
          <span className={`badge tone-${summary.tone}`} title={summary.statusKind}>
            <span className="visually-hidden">{summary.statusKind}: </span>
            {summary.status}
          </span>
        )}
        {summary.labels.map((label) => (
          <span key={label} className="badge tone-sensitive" title="Security label">
            <span className="visually-hidden">Security label: </span>
            {label}
          </span>
        ))}
      </div>
      {summary.details.length > 0 && (
        <dl className="facts">
          {summary.details.map((d) => (
            <div key={d.label}>
              <dt>{d.label}</dt>
              <dd>{d.value}</dd>
            </div>
          ))}
        </dl>
      )}
    </article>
  );
}
