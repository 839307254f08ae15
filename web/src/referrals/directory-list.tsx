import type { HealthcareService } from '@medplum/fhirtypes';
import { formatAddress, formatConcept, formatTelecom, joinText } from '../fhir/format';
import { Link } from '../router/link';
import type { DirectoryRow } from './directory-results';
import { kmToMiles } from './map-projection';

export function milesText(km: number): string {
  const mi = kmToMiles(km);
  return `${mi < 10 ? mi.toFixed(1) : Math.round(mi)} mi`;
}

const DAYS: Record<string, string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

/** "Mon–Fri 09:00–17:00; Sat 10:00–12:00" from availableTime. */
export function hoursText(s: HealthcareService): string | undefined {
  const parts = (s.availableTime ?? []).map((t) => {
    const days = (t.daysOfWeek ?? []).map((d) => DAYS[d] ?? d).join(', ');
    const time = t.allDay
      ? 'all day'
      : t.availableStartTime && t.availableEndTime
        ? `${t.availableStartTime.slice(0, 5)}–${t.availableEndTime.slice(0, 5)}`
        : '';
    return joinText([days, time], ' ');
  });
  return joinText(parts, '; ');
}

/** The directory results as a list: what the service is, where, how far, when, in which languages. */
export function DirectoryList({
  rows,
  offset,
  referralLink,
}: {
  rows: DirectoryRow[];
  offset: number;
  referralLink: (r: DirectoryRow) => string | undefined;
}) {
  return (
    <ol className="directory-list" start={offset + 1}>
      {rows.map((row) => {
        const s = row.service;
        const kinds = joinText([...(s.category ?? []), ...(s.type ?? [])].map(formatConcept));
        const address = row.locations.map((l) => formatAddress(l.address) ?? l.name).find(Boolean);
        const languages = joinText((s.communication ?? []).map(formatConcept));
        const eligibility = joinText([
          ...(s.eligibility ?? []).map((e) => [e.code?.text, e.comment].filter(Boolean).join(': ')),
          ...(s.program ?? []).map((p) => `Program: ${formatConcept(p)}`),
        ]);
        const link = referralLink(row);
        return (
          <li key={row.reference} className="panel directory-item">
            <div className="directory-item-head">
              <h3>{s.name ?? 'Unnamed service'}</h3>
              {row.acceptsReferrals ? (
                <span className="badge tone-active">Accepts electronic referrals</span>
              ) : (
                <span className="badge tone-neutral">No electronic referrals: contact directly</span>
              )}
            </div>
            {row.organization?.name && <p className="muted directory-org">{row.organization.name}</p>}
            <dl className="facts">
              {kinds && (
                <div>
                  <dt>Services</dt>
                  <dd>{kinds}</dd>
                </div>
              )}
              {address && (
                <div>
                  <dt>Where</dt>
                  <dd>
                    {address}
                    {row.distanceKm !== undefined && <> · {milesText(row.distanceKm)} away</>}
                  </dd>
                </div>
              )}
              {hoursText(s) && (
                <div>
                  <dt>Hours</dt>
                  <dd>{hoursText(s)}</dd>
                </div>
              )}
              {languages && (
                <div>
                  <dt>Languages</dt>
                  <dd>{languages}</dd>
                </div>
              )}
              {eligibility && (
                <div>
                  <dt>Eligibility</dt>
                  <dd>{eligibility}</dd>
                </div>
              )}
              {formatTelecom(s.telecom) && (
                <div>
                  <dt>Contact</dt>
                  <dd>{formatTelecom(s.telecom)}</dd>
                </div>
              )}
            </dl>
            {link && (
              <p className="directory-actions">
                <Link
                  className="button primary"
                  to={link}
                  aria-label={`Send referral to ${s.name ?? 'this service'}`}
                >
                  Send referral
                </Link>
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}
