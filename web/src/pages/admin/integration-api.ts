import { accessToken } from '../../session/session';

/** Shapes of /api/integration (src/integration/pipeline/routes.ts). */
export interface ChannelStatus {
  name: string;
  kind: string | null;
  configured: boolean;
  received: number;
  committed: number;
  failed: number;
  duplicate: number;
  lastReceived: string | null;
  latencyMs: { p50: number | null; p99: number | null; window: number };
  /** SFTP pull (channels that pull from a server): the last attempt; null before the first one. */
  pull?: PullStatus | null;
}

export interface PullStatus {
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  filesFetched: number;
  hostKey: string | null;
}

/** One problem as the mappers report it: an HL7 segment/field or a file row/column. */
export interface DeadLetterIssue {
  severity?: string;
  message: string;
  /** The problem without its location (the mappers' issues carry both). */
  problem?: string;
  /** HL7: the exact place, e.g. 'PID-3[2].4'. */
  location?: string;
  segment?: string;
  field?: number;
  file?: string;
  row?: number;
  column?: string;
}

export interface DeadLetter {
  id: number;
  channel: string;
  messageKey: string;
  kind: string;
  receivedAt: string;
  attempts: number;
  error: DeadLetterIssue[] | null;
  /** Set for one failed row of a file: the file's message id. */
  parentId?: number | null;
  raw?: string;
}

export interface ReplayOutcome {
  status: 'received' | 'committed' | 'failed';
  ackCode?: string;
  issues: DeadLetterIssue[];
}

async function call<T>(url: string, init: RequestInit = {}, signal?: AbortSignal): Promise<T> {
  const token = await accessToken();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(url, { ...init, headers, signal });
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `${url}: HTTP ${res.status}`);
  return body;
}

export const loadChannels = (signal?: AbortSignal): Promise<ChannelStatus[]> =>
  call<{ channels: ChannelStatus[] }>('/api/integration/channels', {}, signal).then((b) => b.channels);

/** One page of dead letters, oldest first; `next` is the `after` of the following page. */
export interface DeadLetterPage {
  deadLetters: DeadLetter[];
  total: number;
  next: number | null;
}

export const DEAD_LETTER_PAGE_SIZE = 20;

export const loadDeadLetters = (
  after: number,
  signal?: AbortSignal,
  limit = DEAD_LETTER_PAGE_SIZE,
): Promise<DeadLetterPage> =>
  call<DeadLetterPage>(`/api/integration/dead-letters?raw=true&limit=${limit}&after=${after}`, {}, signal);

/** Re-runs a dead letter, with the corrected raw text when the operator edited it. */
export const replayDeadLetter = (id: number, raw?: string): Promise<ReplayOutcome> =>
  call<ReplayOutcome>(`/api/integration/dead-letters/${id}/replay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(raw === undefined ? {} : { raw }),
  });

/** Where the problem is, as the operator needs it to fix the input. */
export function issueLocation(issue: DeadLetterIssue): string | undefined {
  if (issue.file)
    return [
      issue.file,
      issue.row !== undefined && `row ${issue.row}`,
      issue.column && `column ${issue.column}`,
    ]
      .filter(Boolean)
      .join(' ');
  if (issue.location && issue.segment) return issue.location;
  if (issue.segment) return issue.field !== undefined ? `${issue.segment}-${issue.field}` : issue.segment;
  return undefined;
}
