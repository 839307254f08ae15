import type { Organization, Parameters, Task } from '@medplum/fhirtypes';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { kithFhir } from '../fhir/kith';
import { navigate } from '../router/router';
import { OutcomeAlert } from '../ui/outcome-alert';
import type { Party } from './workflow';

const CLOSED = ['completed', 'rejected', 'failed', 'cancelled', 'entered-in-error'];

/**
 * For receivers not on Kith: a signed link the receiving organization opens without an account
 * (`$referral-link`), and — for the receiving side acting as an intermediary — passing the referral
 * on to the organization that will serve the client (`$forward`: a child referral `partOf` this one).
 */
export function ReferralSharing({ task, party }: { task: Task; party: Party }) {
  if (CLOSED.includes(task.status)) return null;
  const sender = party === 'requester' || party === 'both' || party === 'system';
  const receiver = party === 'owner' || party === 'both' || party === 'system';
  if (!sender && !receiver) return null;
  return (
    <section className="panel" aria-labelledby="referral-sharing-heading">
      <h2 id="referral-sharing-heading">Receivers not on Kith</h2>
      {sender && <LinkMaker task={task} />}
      {receiver && <Forwarder task={task} />}
    </section>
  );
}

/** A link issued for the referral, as `$referral-links` lists it. */
export interface IssuedLink {
  jti: string;
  created: string;
  expires: string;
  revoked?: string;
  state: string;
}

export function issuedLinks(out: Parameters): IssuedLink[] {
  return (out.parameter ?? [])
    .filter((p) => p.name === 'link')
    .map((p) => {
      const part = (name: string) => p.part?.find((x) => x.name === name);
      return {
        jti: part('jti')?.valueString ?? '',
        created: part('created')?.valueInstant ?? '',
        expires: part('expires')?.valueInstant ?? '',
        revoked: part('revoked')?.valueInstant,
        state: part('state')?.valueCode ?? '',
      };
    });
}

const when = (iso: string | undefined): string => (iso ? iso.slice(0, 16).replace('T', ' ') : '');
const STATE_LABEL: Record<string, string> = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };

function LinkMaker({ task }: { task: Task }) {
  const [days, setDays] = useState(14);
  const [link, setLink] = useState<{ url: string; expires: string }>();
  const [error, setError] = useState<unknown>();
  const [links, setLinks] = useState<IssuedLink[]>();
  const base = `Task/${encodeURIComponent(task.id!)}`;
  const reload = useCallback(async () => {
    try {
      setLinks(issuedLinks(await kithFhir.request<Parameters>(`${base}/$referral-links`)));
    } catch (err) {
      setError(err);
    }
  }, [base]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const revoke = async (jti: string) => {
    setError(undefined);
    try {
      await kithFhir.request<Parameters>(`${base}/$revoke-referral-link`, {
        method: 'POST',
        body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'jti', valueString: jti }] }),
      });
      if (link?.url.includes(`/referral-link/${jti}.`)) setLink(undefined);
      await reload();
    } catch (err) {
      setError(err);
    }
  };
  const make = async () => {
    setError(undefined);
    try {
      const out = await kithFhir.request<Parameters>(`Task/${encodeURIComponent(task.id!)}/$referral-link`, {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: [{ name: 'days', valueInteger: days }],
        }),
      });
      const p = (name: string) => out.parameter?.find((x) => x.name === name);
      setLink({ url: p('url')?.valueUrl ?? '', expires: p('expires')?.valueInstant ?? '' });
      await reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="sharing-part">
      <h3>Link for {task.owner?.display ?? 'the receiving organization'}</h3>
      <p className="muted small">
        Whoever has the link sees the client&apos;s name, birth date, phone and language and this request, and
        can update the referral as the receiving organization. Send it to them directly; revoke it below if it
        went to the wrong place or is no longer needed.
      </p>
      <div className="field inline">
        <label htmlFor="link-days">Valid for (days)</label>
        <input
          id="link-days"
          type="number"
          min={1}
          max={90}
          value={days}
          onChange={(e) => setDays(Math.min(90, Math.max(1, Number(e.target.value) || 14)))}
        />
      </div>
      <button type="button" className="button" onClick={() => void make()}>
        Create link
      </button>
      {error !== undefined && <OutcomeAlert error={error} />}
      {link && (
        <div className="field">
          <label htmlFor="link-url">Referral link (until {link.expires.slice(0, 10)})</label>
          <input id="link-url" readOnly value={link.url} onFocus={(e) => e.target.select()} />
        </div>
      )}
      {links && links.length > 0 && (
        <table className="table links-issued">
          <caption>Links issued for this referral</caption>
          <thead>
            <tr>
              <th scope="col">Link</th>
              <th scope="col">Created</th>
              <th scope="col">Valid until</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {links.map((l) => (
              <tr key={l.jti} data-state={l.state}>
                <td>
                  <code>{l.jti.slice(0, 8)}</code>
                </td>
                <td>{when(l.created)}</td>
                <td>{when(l.expires)}</td>
                <td>
                  {STATE_LABEL[l.state] ?? l.state}
                  {l.revoked && ` ${when(l.revoked)}`}
                </td>
                <td>
                  {l.state === 'active' && (
                    <button
                      type="button"
                      className="button"
                      aria-label={`Revoke link ${l.jti.slice(0, 8)}`}
                      onClick={() => void revoke(l.jti)}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Forwarder({ task }: { task: Task }) {
  const [name, setName] = useState('');
  const [found, setFound] = useState<Organization[]>();
  const [owner, setOwner] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const search = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const b = await kithFhir.search<Organization>('Organization', {
        'name:contains': name.trim(),
        _count: 20,
      });
      const list = (b.entry ?? []).map((x) => x.resource).filter((o): o is Organization => !!o?.id);
      setFound(list);
      setOwner(list[0] ? `Organization/${list[0].id}` : '');
    } catch (err) {
      setError(err);
    }
  };
  const forward = async () => {
    setError(undefined);
    try {
      const out = await kithFhir.request<Parameters>(`Task/${encodeURIComponent(task.id!)}/$forward`, {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: [
            { name: 'owner', valueReference: { reference: owner } },
            ...(note.trim() ? [{ name: 'note', valueString: note.trim() }] : []),
          ],
        }),
      });
      const child = out.parameter?.find((p) => p.name === 'task')?.resource as Task | undefined;
      if (child?.id) navigate(`/referrals/Task/${child.id}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="sharing-part">
      <h3>Forward to the organization that will serve the client</h3>
      <form
        className="field inline"
        onSubmit={(e) => void search(e)}
        role="search"
        aria-label="Find an organization"
      >
        <label htmlFor="forward-name">Organization name</label>
        <input id="forward-name" type="search" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="button">
          Find
        </button>
      </form>
      {found && found.length === 0 && <p className="muted">No organization by that name.</p>}
      {found && found.length > 0 && (
        <>
          <div className="field">
            <label htmlFor="forward-owner">Forward to</label>
            <select id="forward-owner" value={owner} onChange={(e) => setOwner(e.target.value)}>
              {found.map((o) => (
                <option key={o.id} value={`Organization/${o.id}`}>
                  {o.name ?? o.id}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="forward-note">Note for them</label>
            <textarea id="forward-note" value={note} onChange={(e) => setNote(e.target.value)} />
          </div>
          <button type="button" className="button primary" onClick={() => void forward()} disabled={!owner}>
            Forward referral
          </button>
        </>
      )}
      {error !== undefined && <OutcomeAlert error={error} />}
    </div>
  );
}
