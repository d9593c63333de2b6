/** A data-model service on a temporary folder and an ephemeral port, a reference APPSIGN signer and a small client. */
import type { Post } from '../../scripts/sim/cloud/stand-in.js';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { DataModelConfigSchema, type DataModelConfig } from '../../edge/datamodel/config.js';
import type { AppCredentials } from '../../edge/datamodel/credentials.js';
import type { Publisher } from '../../edge/datamodel/deliveries.js';
import { DataModelService } from '../../edge/datamodel/service.js';
import { FileService } from '../../edge/files/service.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase, type Db } from '../../edge/store/db.js';
import { filesConfig } from '../files/helpers.js';

export const APPS: Record<string, AppCredentials> = {
  parkKey: { app: 'parking-adapter', appSecret: 'parkSecret', read: ['iot_park_fee'], write: ['iot_park_pass_record', 'Heartbeat'] },
  readerKey: { app: 'reader', appSecret: 'readerSecret', read: ['iot_park_pass_record'], write: [] },
};

export function dataModelConfig(over: Partial<DataModelConfig> = {}): DataModelConfig {
  return { ...(Value.Default(DataModelConfigSchema, {}) as DataModelConfig), host: '127.0.0.1', port: 0, ...over };
}

export interface Published {
  topic: string;
  body: Record<string, unknown>;
}

export interface TestDataModel {
  service: DataModelService;
  files: FileService | undefined;
  db: Db;
  dir: string;
  base: string;
  published: Published[];
  bus: { up: boolean };
  restart(over?: Partial<DataModelConfig>): Promise<TestDataModel>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function startDataModel(
  over: Partial<DataModelConfig> = {},
  opts: { files?: boolean; dir?: string; now?: () => number } = {},
): Promise<TestDataModel> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'pe-datamodel-'));
  const db = openDatabase(join(dir, 'edge.db'));
  const log = silentLogger();
  const files = opts.files === false ? undefined : new FileService({ db, log, dataDir: dir }, filesConfig({ maxFileMb: 1, quotaMb: 2 }));
  await files?.start();
  const published: Published[] = [];
  const bus = { up: true };
  const publisher: Publisher = {
    publish: (topic, payload) => published.push({ topic, body: JSON.parse(payload) as Record<string, unknown> }),
  };
  const service = new DataModelService(
    {
      db,
      log,
      credentials: (k) => APPS[k],
      files: () => files,
      publisher: () => (bus.up ? publisher : undefined),
      ...(opts.now ? { now: opts.now } : {}),
    },
    dataModelConfig(over),
  );
  await service.start();
  const stop = async (): Promise<void> => {
    await service.stop();
    await files?.stop();
    db.close();
  };
  return {
    service,
    files,
    db,
    dir,
    base: `http://127.0.0.1:${service.port}`,
    published,
    bus,
    stop,
    async restart(next = over) {
      await stop();
      return startDataModel(next, { ...opts, dir });
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The reference APPSIGN signer (docs/apps.md): what an app's SDK sends. */
export function signedHeaders(p: {
  appKey: string;
  appSecret: string;
  path: string;
  body: string | Buffer;
  timestamp?: number;
  nonce?: string;
  method?: string;
}): Record<string, string> {
  const body = Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body);
  const headers: Record<string, string> = {
    accept: 'application/json; charset=utf-8',
    'content-type': 'application/octet-stream; charset=utf-8',
    'content-md5': createHash('md5').update(body).digest('base64'),
    'x-ca-key': p.appKey,
    'x-ca-timestamp': String(p.timestamp ?? Date.now()),
    'x-ca-nonce': p.nonce ?? randomUUID(),
    'x-ca-signature-method': 'HmacSHA256',
    'x-ca-signature-headers': 'x-ca-key,x-ca-nonce,x-ca-signature-method,x-ca-timestamp',
  };
  const signed = ['x-ca-key', 'x-ca-nonce', 'x-ca-signature-method', 'x-ca-timestamp'];
  const text =
    `${p.method ?? 'POST'}\n${headers.accept}\n${headers['content-md5']}\n${headers['content-type']}\n\n` +
    signed.map((n) => `${n}:${headers[n]}\n`).join('') +
    p.path;
  headers['x-ca-signature'] = createHmac('sha256', p.appSecret).update(text).digest('base64');
  return headers;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
  json: Record<string, unknown>;
}

export function send(
  base: string,
  method: string,
  path: string,
  body: string | Buffer | undefined,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON (a file)
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, bytes, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const envelope = (params: Record<string, unknown>, apiVer = '0.0.3', id = 'req-1'): string =>
  JSON.stringify({ id, version: '1.0', request: { apiVer }, params });

/** A signed call of the API: `POST path` with the envelope. */
export function call(base: string, path: string, params: Record<string, unknown>, appKey = 'parkKey', apiVer = '0.0.3'): Promise<Reply> {
  const body = envelope(params, apiVer);
  const app = APPS[appKey];
  return send(base, 'POST', path, body, signedHeaders({ appKey, appSecret: app?.appSecret ?? 'x', path, body }));
}

export interface AtCloud {
  modelId: string;
  dataId: number;
  properties: Record<string, unknown>;
  form: 'event' | 'history';
  files?: Record<string, string>;
}

/** The EdgeDataModel records the cloud stand-in received, in the event or the history form. */
export function recordsAtCloud(posts: Post[]): AtCloud[] {
  const out: AtCloud[] = [];
  for (const p of posts) {
    const params = p.body.params as Record<string, unknown>;
    if (p.kind === 'event:EdgeDataModel') out.push({ ...(params.value as Omit<AtCloud, 'form'>), form: 'event' });
    else if (p.kind === 'history')
      for (const e of params as unknown as Array<{ events: Array<Record<string, { value: Omit<AtCloud, 'form'> }>> }>)
        for (const ev of e.events) if (ev.EdgeDataModel) out.push({ ...ev.EdgeDataModel.value, form: 'history' });
  }
  return out;
}
