import http from 'node:http';
import https from 'node:https';

/** An answer as a script sees it: no redirect followed. */
export interface Answer {
  status: number;
  location: string;
  cookie: string;
  body: string;
}

/** An answer with all its headers. */
export interface FullAnswer extends Answer {
  headers: http.IncomingHttpHeaders;
}

/**
 * An HTTP request to 127.0.0.1:`port` sent from `from` (any 127.0.0.x: each is another client
 * address to the portal, or to a proxy in front of it); over TLS with `tls` (any certificate).
 */
export function ask(
  port: number,
  path: string,
  options: { method?: string; from?: string; headers?: Record<string, string>; body?: string; tls?: boolean } = {},
): Promise<FullAnswer> {
  const method = options.method ?? 'GET';
  // A POST is a form post (server functions take their arguments as a form).
  const headers = method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded', ...options.headers } : (options.headers ?? {});
  return new Promise((resolve, reject) => {
    const send = options.tls ? https.request : http.request;
    const request = send(
      { host: '127.0.0.1', port, path, method, localAddress: options.from ?? '127.0.0.1', headers, agent: false, rejectUnauthorized: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => {
          const cookie = (response.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
          resolve({ status: response.statusCode ?? 0, location: String(response.headers.location ?? ''), cookie, body, headers: response.headers });
        });
      },
    );
    request.on('error', reject);
    request.end(options.body ?? '');
  });
}

/** `POST /session` with this form (url-encoded), from `from`. */
export function signIn(port: number, form: Record<string, string>, from = '127.0.0.1', headers: Record<string, string> = {}): Promise<Answer> {
  return ask(port, '/session', {
    method: 'POST',
    from,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

/** The `error=` a sign-in answer sends the browser back to the form with ('' when it signed in). */
export function formError(answer: Answer): string {
  return new URL(answer.location, 'http://portal').searchParams.get('error') ?? '';
}

/**
 * Opens a live-status stream with `cookie`; resolves `ended` when the portal ends it. `opened`
 * resolves with the status once the answer's head arrives.
 */
export function follow(port: number, path: string, cookie: string, from = '127.0.0.1') {
  let request: http.ClientRequest | undefined;
  let received = '';
  let settle: (status: number) => void = () => undefined;
  const opened = new Promise<number>((resolve) => (settle = resolve));
  const ended = new Promise<number>((resolve, reject) => {
    request = http.request({ host: '127.0.0.1', port, path, localAddress: from, headers: { cookie, accept: 'text/event-stream' }, agent: false }, (response) => {
      settle(response.statusCode ?? 0);
      response.setEncoding('utf8');
      response.on('data', (chunk) => (received += chunk));
      response.on('end', () => resolve(Date.now()));
      response.on('error', () => resolve(Date.now()));
    });
    request.on('error', reject);
    request.end();
  });
  return { opened, ended, received: () => received, close: () => request?.destroy() };
}
