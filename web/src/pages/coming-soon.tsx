import type { Capability } from '../capabilities';
import { useDocumentTitle } from '../ui/document-title';

/** The honest placeholder for a capability not built yet: what it will do, and no made-up data. */
export function ComingSoon({ capability }: { capability: Capability }) {
  useDocumentTitle(capability.label);
  return (
    <div className="page">
      <h1 tabIndex={-1}>{capability.label}</h1>
      <section className="panel coming" aria-label="Not available yet">
        <p className="coming-title">Coming with {capability.coming?.capability}</p>
        <p>{capability.coming?.description}</p>
        <p className="muted">This page has no data yet; nothing here is a sample or a mock-up.</p>
      </section>
    </div>
  );
}
