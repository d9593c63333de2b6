/** Fakes for door-standard tests: an in-memory access core and recording device handles. */
import pino from 'pino';
import type { DeviceHandle, DeviceInfo } from '../../edge/host/sdk/driver.js';
import type { AccessGateway, CredentialKind, DeploymentEntry, PassRecord } from '../../drivers/door-standard/gateway.js';

export const quietLog = pino({ level: 'silent' });

interface Tracked {
  entry: DeploymentEntry;
  pending: boolean;
  deployed: boolean;
}

/** Keeps per device and kind the current permissions, and which of them the device confirmed. */
export class FakeAccess implements AccessGateway {
  readonly qr = new Map<string, string>(); // code → userId
  readonly faces = new Map<string, { faceId: string; userId: string; name: string }>(); // any photo → first face
  readonly passes: PassRecord[] = [];
  readonly acks: { deviceKey: string; kind: CredentialKind; ids: string[]; ok: boolean }[] = [];
  readonly #perms = new Map<string, Map<string, Tracked>>();
  #seq = 0;
  available = true;

  #table(deviceKey: string, kind: CredentialKind): Map<string, Tracked> {
    const k = `${deviceKey}|${kind}`;
    let t = this.#perms.get(k);
    if (!t) this.#perms.set(k, (t = new Map()));
    return t;
  }

  /** Add or change a permission: pending until the device confirms it. */
  upsert(deviceKey: string, kind: CredentialKind, e: Omit<DeploymentEntry, 'id' | 'op'>): void {
    this.#table(deviceKey, kind).set(e.key, { entry: { ...e, op: 'upsert', id: String(++this.#seq) }, pending: true, deployed: false });
  }

  remove(deviceKey: string, kind: CredentialKind, key: string): void {
    const t = this.#table(deviceKey, kind);
    const old = t.get(key);
    if (old) t.set(key, { entry: { ...old.entry, op: 'delete', id: String(++this.#seq) }, pending: true, deployed: old.deployed });
  }

  pendingCount(deviceKey: string, kind: CredentialKind): number {
    return [...this.#table(deviceKey, kind).values()].filter((x) => x.pending).length;
  }

  #check(): void {
    if (!this.available) throw new Error('access core unavailable');
  }

  async decideQr(_deviceKey: string, code: string) {
    this.#check();
    const userId = this.qr.get(code);
    return userId ? { allow: true, userId } : { allow: false, reason: 'unknown QR code' };
  }

  async decideFace(deviceKey: string) {
    this.#check();
    const f = [...this.faces.values()][0];
    if (!f) return { allow: false, reason: 'no match' };
    this.passes.push({ deviceKey, kind: 'face', faceId: f.faceId, time: Date.now() });
    return { allow: true, faceId: f.faceId, userId: f.userId, name: f.name, photoId: `photo-${this.passes.length}` };
  }

  async recordPass(rec: PassRecord) {
    this.#check();
    this.passes.push(rec);
    return rec.photo ? { photoId: `photo-${this.passes.length}` } : {};
  }

  async pendingDeployments(deviceKey: string, kind: CredentialKind, limit: number) {
    this.#check();
    return [...this.#table(deviceKey, kind).values()].filter((x) => x.pending).slice(0, limit).map((x) => x.entry);
  }

  async ackDeployments(deviceKey: string, kind: CredentialKind, ids: string[], ok: boolean) {
    this.acks.push({ deviceKey, kind, ids, ok });
    if (!ok) return;
    const t = this.#table(deviceKey, kind);
    for (const [key, x] of t) {
      if (!ids.includes(x.entry.id)) continue;
      if (x.entry.op === 'delete') t.delete(key);
      else Object.assign(x, { pending: false, deployed: true });
    }
  }

  async resetDeployments(deviceKey: string, kind: CredentialKind) {
    this.#check();
    for (const x of this.#table(deviceKey, kind).values()) x.pending = true;
  }

  async desiredFaces(deviceKey: string) {
    this.#check();
    return [...this.#table(deviceKey, 'face').values()].filter((x) => x.entry.op === 'upsert').map((x) => x.entry);
  }

  readonly offlineCalls: string[] = [];

  async deviceOffline(deviceKey: string) {
    this.#check();
    this.offlineCalls.push(deviceKey);
  }
}

export interface RecordedHandle extends DeviceHandle {
  events: { id: string; params: Record<string, unknown> }[];
  props: Record<string, unknown>;
  isOnline: boolean;
}

export function handle(info: DeviceInfo): RecordedHandle {
  const h: RecordedHandle = {
    ...info,
    log: quietLog,
    events: [],
    props: {},
    isOnline: false,
    online: () => void (h.isOnline = true),
    offline: () => void (h.isOnline = false),
    reportProperties: (v) => void Object.assign(h.props, v),
    reportEvent: (id, params) => void h.events.push({ id, params }),
  };
  return h;
}

/** The five logical devices of one terminal (spec 001b R9) on `ip:port`. */
export function terminalDevices(code: string, ip: string, port: number, extra: Record<string, unknown> = {}): DeviceInfo[] {
  const products = ['PEDoorFace', 'PEDoorQr', 'PEDoorCard', 'PEDoorBle', 'PEDoorIntercom'];
  return products.map((productKey, i) => ({ productKey, deviceName: `${code}.${i + 1}`, custom: { ip, port, ...extra } }));
}
