import { fieldLabel, formatWeight, levelText, type MatchEvidence } from '../../fhir/identity';

/**
 * The per-field comparison behind a match score: each compared field, how alike the two values are,
 * and how much that moved the odds (positive: same person more likely). Fields missing on either
 * side weigh nothing and are listed in one line, so the table shows only what was compared.
 */
export function MatchEvidenceTable({ evidence, caption }: { evidence: MatchEvidence; caption: string }) {
  const compared = evidence.fields.filter((f) => f.level !== 'missing');
  const missing = evidence.fields.filter((f) => f.level === 'missing').map((f) => fieldLabel(f.field));
  return (
    <div className="evidence">
      <table className="data-table evidence-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Comparison</th>
            <th scope="col" className="num">
              Weight
            </th>
          </tr>
        </thead>
        <tbody>
          {compared.map((f) => (
            <tr key={f.field} className={f.weight > 0 ? 'agrees' : f.weight < 0 ? 'disagrees' : undefined}>
              <th scope="row">{fieldLabel(f.field)}</th>
              <td>{levelText(f.level)}</td>
              <td className="num">{formatWeight(f.weight)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {missing.length > 0 && (
        <p className="hint">Not compared (missing in one record): {missing.join(', ')}.</p>
      )}
      {evidence.hardRule && <p className="hint">Kept apart by the rule &ldquo;{evidence.hardRule}&rdquo;.</p>}
    </div>
  );
}
