// Client for the Ward JSON API (docs/api.md). Same-origin, relative URLs only.

export interface Helpdesk {
  phone: string;
  hours: string;
  email: string;
}

export interface Config {
  product: string;
  version: string;
  demo: boolean;
  organisation: { name: string; helpdesk: Helpdesk | null } | null;
}

export interface Patient {
  name: string;
  givenName: string;
  birthDate: string;
  nhsNumber: string;
}

export interface Source {
  name: string;
  lastUpdated: string;
}

export interface Summary {
  patient: Patient | null;
  sources: Source[] | null;
  counts: Record<string, number> | null;
}

export interface Code {
  system: string;
  code: string;
  display: string;
}

export interface Result {
  id: string;
  name: string;
  code: Code | null;
  value: string;
  unit: string;
  range: { low: string; high: string; text: string } | null;
  flag: string;
  flagLabel: string;
  comments: string[] | null;
}

export interface Report {
  id: string;
  name: string;
  category: string;
  taken: string;
  resulted: string;
  orderedBy: string;
  organisation: string;
  status: string;
  conclusion: string;
  abnormalCount: number;
  results: Result[] | null;
}

export interface ResultsResponse {
  reports: Report[] | null;
}

export const SERVICE_PROBLEM = 'Sorry, there is a problem with the service. Try again later.';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** GET a JSON document from /api/... . Throws ApiError with a message fit to show. */
export async function getJSON<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  } catch {
    throw new ApiError(SERVICE_PROBLEM, 0, 'network');
  }
  if (!res.ok) {
    let message = SERVICE_PROBLEM;
    let code = 'http_' + res.status;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      if (body?.error?.code) code = body.error.code;
      if (res.status < 500 && body?.error?.message) message = body.error.message;
    } catch {
      // not JSON: keep the generic message
    }
    throw new ApiError(message, res.status, code);
  }
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError(SERVICE_PROBLEM, res.status, 'bad_json');
  }
}

// Each document is fetched once per page load and shared between pages;
// a failed request is forgotten so that the next visit tries again.
const cache = new Map<string, Promise<unknown>>();

function cached<T>(path: string): Promise<T> {
  let p = cache.get(path) as Promise<T> | undefined;
  if (!p) {
    p = getJSON<T>(path);
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return p;
}

export const getConfig = () => cached<Config>('/api/config');
export const getSummary = () => cached<Summary>('/api/summary');
export const getResults = () => cached<ResultsResponse>('/api/results');

export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.message : SERVICE_PROBLEM;
}
