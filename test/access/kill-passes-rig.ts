/** The kill -9 pass test's rig (kill-passes.test.ts): the doors, the traffic, the box config and the cloud-side readers. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { observeFor } from '../helpers/wait.js';
import type { Identity, Post } from '../../scripts/sim/cloud/stand-in.js';
import type { SimulatedDoor } from '../../scripts/sim/door-standard/door.js';
import { cloudYaml } from '../cloud/helpers.js';
import { waitFor } from '../helpers/runtime.js';

export const KILLS = Number(process.env.KILL_PASSES_KILLS ?? 12);
/** Passes per second over both doors; the issue asks for ≥ 200. */
export const RATE = 250;
/** Requests open at once over both doors; after a stall the sender catches up rather than piling up sockets. */
export const MAX_IN_FLIGHT = 64;
/** Allowed QR codes seeded per door, each good for one scan (more than a run can use). */
export const QR_SEEDED = 2500;
export const KINDS = ['card', 'ble', 'qr', 'face', 'qrUnknown'] as const;
export type Kind = (typeof KINDS)[number];

export const DOORS = [
  { sn: 'KILL-DOOR-01', ip: '127.0.0.61' },
  { sn: 'KILL-DOOR-02', ip: '127.0.0.62' },
];
export const ROLES = [
  { suffix: '1', productKey: 'PEDoorFace' },
  { suffix: '2', productKey: 'PEDoorQr' },
  { suffix: '3', productKey: 'PEDoorCard' },
  { suffix: '4', productKey: 'PEDoorBle' },
];
export const DOOR_SUBS: Identity[] = DOORS.flatMap((d) =>
  ROLES.map((r) => ({ productKey: r.productKey, deviceName: `${d.sn}.${r.suffix}`, deviceSecret: `${d.sn}-${r.suffix}-secret` })),
);
export const PASS_EVENTS = new Set(['passEvent', 'OnMatched', 'OnDetect']);

export const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const allowedQr = (door: number, i: number) => `KQA${door}${pad(i, 28)}`;
export const unknownQr = (door: number, seq: number) => `KQX${door}${pad(seq, 28)}`;
/** The load's pacing and the kill schedule: time itself is what this test shapes. */
export const sleep = observeFor;

export interface Attempt {
  seq: number;
  door: number;
  kind: Kind;
  credential: string;
  /** The door's answer; undefined when the request failed on the wire (box down, killed mid-request). */
  code?: number;
  error?: string;
}

/** One pass record as the cloud received it. */
export interface CloudPass {
  passId: string | undefined;
  /** `<pk>/<dn>#<Alink id>`: one message, however often it was delivered. */
  message: string;
  device: string;
  identifier: string;
  content: string;
  code: number;
  form: 'realtime' | 'history';
  /** The event as sent (identifier and value): equal in both forms of one message. */
  event: string;
}

export interface StoreRow {
  pass_id: string | null;
  device_key: string;
  kind: string;
  content: string;
  face_id: string | null;
  code: number;
}

/** Pass events in a post, realtime (`params.value`) or history (`params[].events[]`). */
export function passesOf(post: Post): CloudPass[] {
  const found: Array<{ identifier: string; value: Record<string, unknown>; form: CloudPass['form'] }> = [];
  if (post.kind.startsWith('event:') && PASS_EVENTS.has(post.kind.slice(6))) {
    const params = post.body.params as { value?: Record<string, unknown> } | undefined;
    if (params?.value) found.push({ identifier: post.kind.slice(6), value: params.value, form: 'realtime' });
  } else if (post.kind === 'history' && Array.isArray(post.body.params)) {
    for (const entry of post.body.params as Array<{ events?: Array<Record<string, { value?: Record<string, unknown> }>> }>) {
      for (const events of entry.events ?? []) {
        for (const [identifier, e] of Object.entries(events))
          if (PASS_EVENTS.has(identifier) && e.value) found.push({ identifier, value: e.value, form: 'history' });
      }
    }
  }
  return found.map(({ identifier, value, form }) => {
    let passId: string | undefined;
    if (identifier === 'passEvent') {
      try {
        const ext = typeof value.extInfo === 'string' ? (JSON.parse(value.extInfo) as Record<string, unknown>) : undefined;
        passId = typeof ext?.passId === 'string' && ext.passId !== '' ? ext.passId : undefined;
      } catch {
        passId = undefined;
      }
    } else passId = typeof value.eventId === 'string' && value.eventId !== '' ? value.eventId : undefined;
    const content = identifier === 'passEvent' ? String(value.content ?? value.credential ?? '') : String(value.faceId ?? '');
    return {
      passId,
      message: `${post.device}#${post.id}`,
      device: post.device,
      identifier,
      content,
      code: Number(value.code),
      form,
      event: JSON.stringify([identifier, value]),
    };
  });
}

/** The pids of a process's children (the daemon's driver processes). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * The box config; `seed` adds the allowed QR codes. Only the first run carries them: they stay in
 * the store, and parsing 750 KB of YAML costs 2-3 s per start, which would make the restarts
 * measure the config parser instead of the crash.
 */
export function boxConfig(dir: string, brokerUrl: string, boxPort: number, doorPorts: number[], seed: boolean): string {
  const now = Date.now();
  const devices = DOORS.flatMap((d, i) =>
    ROLES.map((r) => ({
      productKey: r.productKey,
      deviceName: `${d.sn}.${r.suffix}`,
      custom: { ip: d.ip, port: doorPorts[i]!, ...(r.suffix === '1' ? { faceMode: 'device' } : {}) },
    })),
  );
  const seedPermissions = DOORS.map((d, i) => ({
    device: `PEDoorQr/${d.sn}.2`,
    file: {
      qrCodePermissionList: Array.from({ length: QR_SEEDED }, (_, j) => ({
        type: 1,
        qrCode: allowedQr(i, j),
        userId: 'kill-resident',
        startTime: String(now - 3_600_000),
        endTime: String(now + 3_600_000),
        maxScanTimes: 1,
      })),
    },
  }));
  // Two doors carry an entrance's worth of passes (125/s each): above the per-door limits a real door never reaches.
  const limits = { perSourceRequestsPerS: 10_000, perSourceBurst: 10_000, perSourceConnections: 1024 };
  const cfg = {
    box: { name: 'kill-box', dataDir: './data' },
    http: { host: '127.0.0.1', port: 0 },
    bus: { host: '127.0.0.1', port: 0 },
    log: { file: 'logs/edge.log' },
    drivers: [
      {
        name: 'Property_Door_PerAccess_Standard',
        type: 'door-standard',
        config: { host: '127.0.0.1', port: boxPort, boxIp: '127.0.0.1', keepaliveS: 30, limits },
        devices,
      },
    ],
    access: { seedPersons: [{ identityId: 'kill-resident', name: 'Kill Test' }], ...(seed ? { seedPermissions } : {}) },
  };
  const file = join(dir, seed ? 'first.yaml' : 'box.yaml');
  // One flow-style (JSON) section per line, as cloudYaml writes the cloud section.
  writeFileSync(
    file,
    `${Object.entries(cfg)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join('\n')}\n${cloudYaml(brokerUrl, { subDevices: DOOR_SUBS })}`,
  );
  return file;
}

/** Paced sender: RATE passes/s over both doors, whatever state the box is in. */
export class PassLoad {
  readonly attempts: Attempt[] = [];
  readonly #doors: SimulatedDoor[];
  readonly #qrUsed: number[];
  #inFlight = 0;
  #stopped = false;
  #loop: Promise<void> | undefined;
  startedAt = 0;
  stoppedAt = 0;

  constructor(doors: SimulatedDoor[]) {
    this.#doors = doors;
    this.#qrUsed = doors.map(() => 0);
  }

  start(): void {
    this.startedAt = Date.now();
    this.#loop = (async () => {
      while (!this.#stopped) {
        const due = Math.floor(((Date.now() - this.startedAt) / 1000) * RATE);
        while (this.attempts.length < due && this.#inFlight < MAX_IN_FLIGHT) this.#send();
        await sleep(4);
      }
    })();
  }

  /** Stop sending and wait for every request in flight to be answered or to fail. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    this.stoppedAt = Date.now();
    await waitFor(() => this.#inFlight === 0, 15_000);
  }

  #send(): void {
    const seq = this.attempts.length;
    const door = seq % this.#doors.length;
    let kind: Kind = KINDS[Math.floor(seq / this.#doors.length) % KINDS.length]!;
    if (kind === 'qr' && this.#qrUsed[door]! >= QR_SEEDED) kind = 'qrUnknown';
    const credential =
      kind === 'card'
        ? `KC${seq}`
        : kind === 'ble'
          ? `KB${seq}`
          : kind === 'face'
            ? `kill-face-${seq}`
            : kind === 'qr'
              ? allowedQr(door, this.#qrUsed[door]!++)
              : unknownQr(door, seq);
    const a: Attempt = { seq, door, kind, credential };
    this.attempts.push(a);
    const d = this.#doors[door]!;
    this.#inFlight++;
    const reply = kind === 'qr' || kind === 'qrUnknown' ? d.scanQrReconnecting(credential) : d.reportPass(kind, credential);
    reply
      .then(
        (r) => (a.code = r.code),
        (err: Error) => (a.error = err.message),
      )
      .finally(() => this.#inFlight--);
  }
}
