import { useState } from 'react';
import { useDocumentTitle } from '../../ui/document-title';
import { useLoad } from '../../ui/use-load';
import {
  DEAD_LETTER_PAGE_SIZE,
  issueLocation,
  loadChannels,
  loadDeadLetters,
  replayDeadLetter,
  type ChannelStatus,
  type DeadLetter,
  type ReplayOutcome,
} from './integration-api';

const ms = (v: number | null): string => (v === null ? '–' : `${v} ms`);

function status(c: ChannelStatus): string {
  if (!c.configured) return 'Not configured';
  if (c.pull?.lastError) return `Pull failed: ${c.pull.lastError}`;
  if (c.failed > 0) return 'Has failed messages';
  return c.received > 0 ? 'Receiving' : 'Waiting for data';
}

function pulled(c: ChannelStatus): string | undefined {
  if (!c.pull?.lastSuccessAt) return undefined;
  return `SFTP: ${c.pull.filesFetched} files fetched, last pull ${new Date(c.pull.lastSuccessAt).toLocaleString()}`;
}

/**
 * The administrator's view of integration: each channel with its status and counts, and every
 * dead letter with the exact error, which can be replayed as it is or after correcting the input.
 */
export function DataSourcesPage() {
  useDocumentTitle('Data sources');
  const [version, setVersion] = useState(0);
  // The `after` cursor of each page seen so far: the last one is the page shown.
  const [cursors, setCursors] = useState<number[]>([0]);
  const after = cursors[cursors.length - 1];
  const data = useLoad(`integration-${version}-${after}`, async (signal) => ({
    channels: await loadChannels(signal),
    deadLetters: await loadDeadLetters(after, signal),
  }));
  const [result, setResult] = useState<{ id: number; outcome?: ReplayOutcome; error?: string }>();

  const replay = async (letter: DeadLetter, raw?: string): Promise<void> => {
    try {
      const outcome = await replayDeadLetter(letter.id, raw);
      setResult({ id: letter.id, outcome });
    } catch (err) {
      setResult({ id: letter.id, error: (err as Error).message });
    }
    setVersion((v) => v + 1);
  };

  return (
    <div className="page">
      <h1>Data sources</h1>
      <p className="lede">
        The systems Kith receives data from, how each is doing, and the messages that failed.
      </p>
      {result && (
        <div className={`alert ${result.outcome?.status === 'committed' ? '' : 'alert-error'}`} role="status">
          Message {result.id}:{' '}
          {result.error ??
            (result.outcome?.status === 'committed'
              ? 'replayed and committed.'
              : `failed again: ${result.outcome?.issues.map((i) => i.message).join('; ')}`)}
        </div>
      )}
      {data.status === 'loading' && (
        <p className="loading" role="status">
          Loading…
        </p>
      )}
      {data.status === 'error' && (
        <div className="alert alert-error" role="alert">
          {(data.error as Error).message}
        </div>
      )}
      {data.status === 'done' && (
        <>
          <section className="panel" aria-labelledby="channels-heading">
            <h2 id="channels-heading">Channels</h2>
            <div className="table-wrap">
              <table aria-label="Channels">
                <thead>
                  <tr>
                    <th>Channel</th>
                    <th>Kind</th>
                    <th>Status</th>
                    <th>Received</th>
                    <th>Committed</th>
                    <th>Failed</th>
                    <th>Duplicates</th>
                    <th>Latency p50 / p99</th>
                    <th>Last received</th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.channels.map((c) => (
                    <tr key={c.name} aria-label={c.name}>
                      <td>{c.name}</td>
                      <td>{c.kind ?? '–'}</td>
                      <td>
                        {status(c)}
                        {pulled(c) && <div className="muted">{pulled(c)}</div>}
                      </td>
                      <td>{c.received}</td>
                      <td>{c.committed}</td>
                      <td>{c.failed}</td>
                      <td>{c.duplicate}</td>
                      <td>
                        {ms(c.latencyMs.p50)} / {ms(c.latencyMs.p99)}
                      </td>
                      <td>{c.lastReceived ? new Date(c.lastReceived).toLocaleString() : '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section className="panel" aria-labelledby="dead-letters-heading">
            <h2 id="dead-letters-heading">Failed messages</h2>
            {data.data.deadLetters.deadLetters.length === 0 ? (
              <p className="muted">No failed messages.</p>
            ) : (
              <>
                <p className="muted">
                  {(cursors.length - 1) * DEAD_LETTER_PAGE_SIZE + 1}–
                  {(cursors.length - 1) * DEAD_LETTER_PAGE_SIZE + data.data.deadLetters.deadLetters.length} of{' '}
                  {data.data.deadLetters.total}
                </p>
                <ul className="dead-letters">
                  {data.data.deadLetters.deadLetters.map((d) => (
                    <DeadLetterItem key={`${d.id}-${d.attempts}`} letter={d} onReplay={replay} />
                  ))}
                </ul>
              </>
            )}
            <div className="actions">
              <button
                type="button"
                className="button"
                disabled={cursors.length === 1}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                Previous page
              </button>
              <button
                type="button"
                className="button"
                disabled={data.data.deadLetters.next === null}
                onClick={() => {
                  const next = data.data.deadLetters.next;
                  if (next !== null) setCursors((c) => [...c, next]);
                }}
              >
                Next page
              </button>
            </div>
          </section>
        </>
      )}
    </div>
  );
}

function DeadLetterItem({
  letter,
  onReplay,
}: {
  letter: DeadLetter;
  onReplay: (d: DeadLetter, raw?: string) => Promise<void>;
}) {
  const [raw, setRaw] = useState(letter.raw ?? '');
  const [busy, setBusy] = useState(false);
  const run = async (edited: boolean): Promise<void> => {
    setBusy(true);
    await onReplay(letter, edited ? raw : undefined);
    setBusy(false);
  };
  const label = `Message ${letter.id}`;
  return (
    <li className="dead-letter" aria-label={label}>
      <h3>
        {label}: {letter.channel} · {letter.messageKey}
      </h3>
      <p className="muted">
        {letter.parentId ? `one row of message ${letter.parentId}, ` : ''}
        {letter.kind}, received {new Date(letter.receivedAt).toLocaleString()}, {letter.attempts} attempt
        {letter.attempts === 1 ? '' : 's'}
      </p>
      <ul className="dead-letter-errors">
        {(letter.error ?? []).map((issue, i) => (
          <li key={i}>
            {issueLocation(issue) && <strong>{issueLocation(issue)}: </strong>}
            {/* The message repeats the location; the problem alone follows the bold location. */}
            {issueLocation(issue) && issue.problem ? issue.problem : issue.message}
          </li>
        ))}
      </ul>
      {letter.raw !== undefined && (
        <label>
          Message content
          <textarea rows={6} value={raw} onChange={(e) => setRaw(e.target.value)} spellCheck={false} />
        </label>
      )}
      <div className="actions">
        <button type="button" className="button" disabled={busy} onClick={() => void run(false)}>
          Replay
        </button>
        <button
          type="button"
          className="button"
          disabled={busy || raw === (letter.raw ?? '')}
          onClick={() => void run(true)}
        >
          Replay corrected
        </button>
      </div>
    </li>
  );
}
