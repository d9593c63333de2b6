/** A tiny API client for console tests: keeps the session cookie and CSRF token like the browser does. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export class ConsoleClient {
  cookie = '';
  csrf = '';
  constructor(readonly app: FastifyInstance) {}

  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (method !== 'GET' && this.csrf && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    let payload: string | Buffer | undefined;
    if (Buffer.isBuffer(body)) {
      payload = body;
      h['content-type'] ??= 'application/octet-stream';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await this.app.inject({ method, url, headers: h, ...(payload !== undefined ? { payload } : {}) });
    const set = res.headers['set-cookie'];
    const first = Array.isArray(set) ? set[0] : set;
    if (first?.startsWith('pe_console=')) this.cookie = first.split(';')[0]!;
    if (res.statusCode === 200 && res.headers['content-type']?.toString().includes('json')) {
      const j = res.json() as { csrf?: string };
      if (typeof j === 'object' && j && typeof j.csrf === 'string') this.csrf = j.csrf;
    }
    return res;
  }

  get(url: string) {
    return this.request('GET', url);
  }

  post(url: string, body: unknown = {}, headers: Record<string, string> = {}) {
    return this.request('POST', url, body, headers);
  }

  async setup(token: string, password: string) {
    return this.post('/api/setup', { token, password });
  }

  async login(password: string, username = 'admin') {
    return this.post('/api/login', { username, password });
  }
}
