import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';

/** Supplies the bearer token for each request (the session's). */
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

export interface FhirClientOptions {
  /** Where the FHIR API lives, relative to the page or absolute. */
  baseUrl: string;
  getAccessToken?: TokenProvider;
  /**
   * Called when the server answers 401 to a request that carried a token: returns a renewed token
   * (the request is sent once more) or undefined (the session is over; the 401 is thrown).
   */
  renewAccessToken?: TokenProvider;
  fetchImpl?: typeof fetch;
}

export type SearchParams = Record<string, string | number | undefined>;

/** A failed FHIR request, carrying the server's OperationOutcome when it sent one. */
export class FhirRequestError extends Error {
  readonly status: number;
  readonly outcome?: OperationOutcome;

  constructor(message: string, status: number, outcome?: OperationOutcome) {
    super(message);
    this.name = 'FhirRequestError';
    this.status = status;
    this.outcome = outcome;
  }
}

const FHIR_JSON = 'application/fhir+json';

/** A small fetch wrapper for the Kith FHIR API: JSON in and out, errors as FhirRequestError. */
export class FhirClient {
  private readonly baseUrl: string;
  private readonly getAccessToken?: TokenProvider;
  private readonly renewAccessToken?: TokenProvider;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: FhirClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.getAccessToken = opts.getAccessToken;
    this.renewAccessToken = opts.renewAccessToken;
    this.fetchImpl = opts.fetchImpl ?? ((input, init) => fetch(input, init));
  }

  read<T extends Resource>(resourceType: T['resourceType'], id: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>(`${resourceType}/${encodeURIComponent(id)}`, { signal });
  }

  search<T extends Resource = Resource>(
    resourceType: string,
    params: SearchParams,
    signal?: AbortSignal,
  ): Promise<Bundle<T>> {
    return this.request<Bundle<T>>(`${resourceType}${toQuery(params)}`, { signal });
  }

  /** Sends a request to `path` under the base URL and returns the parsed JSON body. */
  async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    const headers = new Headers(init.headers);
    headers.set('accept', FHIR_JSON);
    if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', FHIR_JSON);
    const token = await this.getAccessToken?.();
    let response = await this.send(path, init, headers, token);
    if (response.status === 401 && token && this.renewAccessToken) {
      const renewed = await this.renewAccessToken();
      if (renewed) response = await this.send(path, init, headers, renewed);
    }
    const body = await readJson(response);
    if (!response.ok) {
      const outcome = isOutcome(body) ? body : undefined;
      throw new FhirRequestError(
        outcome ? outcomeText(outcome) : httpMessage(response),
        response.status,
        outcome,
      );
    }
    return body as T;
  }

  private async send(path: string, init: RequestInit, headers: Headers, token?: string): Promise<Response> {
    if (token) headers.set('authorization', `Bearer ${token}`);
    try {
      return await this.fetchImpl(`${this.baseUrl}/${path.replace(/^\/+/, '')}`, { ...init, headers });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new FhirRequestError('Could not reach the Kith server. Check your connection and try again.', 0);
    }
  }
}

function toQuery(params: SearchParams): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') q.append(key, String(value));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isOutcome(body: unknown): body is OperationOutcome {
  return typeof body === 'object' && body !== null && (body as Resource).resourceType === 'OperationOutcome';
}

function httpMessage(response: Response): string {
  return `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
}

/** One line per issue: the diagnostics, or else the details text, or else the issue code. */
export function outcomeText(outcome: OperationOutcome): string {
  const lines = (outcome.issue ?? []).map((i) => i.diagnostics ?? i.details?.text ?? i.code);
  return lines.join('\n') || 'The server reported an error without details.';
}
