import type { Patient } from '@medplum/fhirtypes';
import {
  formatAddress,
  formatDate,
  formatName,
  formatTelecom,
  humanize,
  identifierSource,
  identifierValue,
  primaryAddress,
} from '../../fhir/format';

/** The facts matching compares, as rows "label: value", for one record or two side by side. */
export function recordFacts(p: Patient | undefined): [string, string][] {
  if (!p) return [];
  const none = '—';
  return [
    ['Name', formatName(p.name) ?? none],
    ['Birth date', formatDate(p.birthDate) ?? none],
    ['Gender', humanize(p.gender) ?? none],
    [
      'Identifiers',
      (p.identifier ?? []).map((i) => `${identifierValue(i)} (${identifierSource(i)})`).join('; ') || none,
    ],
    ['Address', formatAddress(primaryAddress(p.address)) ?? none],
    ['Phone', formatTelecom(p.telecom) ?? none],
    ['Source', p.meta?.source ?? none],
  ];
}

/** One record's facts as a definition list. */
export function RecordSummary({ patient }: { patient: Patient }) {
  return (
    <dl className="facts-grid">
      {recordFacts(patient)
        .filter(([label]) => label !== 'Name')
        .map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}
