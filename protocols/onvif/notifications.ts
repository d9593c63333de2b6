/**
 * The notification messages of a PullMessages answer (ONVIF Core, event handling; WS-BaseNotification) and
 * what the box makes of them. Read from the raw SOAP with our own parser so that a camera's odd
 * answer can only yield fewer messages, never an exception.
 */
import { XMLParser } from 'fast-xml-parser';

export interface Notification {
  /** The topic without its namespace prefix, e.g. `RuleEngine/CellMotionDetector/Motion`. */
  topic: string;
  /** UtcTime of the message, ms (now when the camera gave none or nonsense). */
  time: number;
  /** `Initialized`, `Changed` or `Deleted` (ONVIF Core, property events). */
  operation: string;
  source: Record<string, string>;
  data: Record<string, string>;
}

export const MAX_NOTIFICATIONS = 100;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  isArray: (name) => ['NotificationMessage', 'SimpleItem'].includes(name),
});

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof obj(v)['#text'] === 'string' ? (obj(v)['#text'] as string) : undefined;

function items(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of arr(obj(v).SimpleItem)) {
    const name = str(obj(i)['@Name']);
    const value = str(obj(i)['@Value']);
    if (name !== undefined && value !== undefined && name.length <= 64) out[name] = value.slice(0, 256);
  }
  return out;
}

/** The messages of a PullMessagesResponse body (at most MAX_NOTIFICATIONS); [] when it is none. */
export function parseNotifications(xml: string, now = Date.now()): Notification[] {
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    return [];
  }
  const res = obj(obj(obj(obj(doc).Envelope).Body).PullMessagesResponse);
  const out: Notification[] = [];
  for (const n of arr(res.NotificationMessage).slice(0, MAX_NOTIFICATIONS)) {
    const topic = (str(obj(n).Topic) ?? '')
      .trim()
      .replace(/^[A-Za-z0-9_-]+:/, '')
      .replace(/\/[A-Za-z0-9_-]+:/g, '/');
    const m = obj(obj(obj(n).Message).Message);
    const t = Date.parse(str(m['@UtcTime']) ?? '');
    if (!topic) continue;
    out.push({
      topic: topic.slice(0, 256),
      time: Number.isFinite(t) ? t : now,
      operation: str(m['@PropertyOperation']) ?? 'Changed',
      source: items(m.Source),
      data: items(m.Data),
    });
  }
  return out;
}

export type CameraEvent = { kind: 'motion'; active: boolean } | { kind: 'alarm'; type: string; active: boolean };

const truthy = (v: string | undefined) => v !== undefined && /^(true|1|on|active)$/i.test(v.trim());

/**
 * The thing-model event a notification stands for: motion (CellMotionDetector, VideoSource
 * MotionAlarm), tamper (TamperDetector, GlobalSceneChange), and any other boolean state as an
 * alarm named by the topic's last part. Undefined when it carries no boolean state.
 */
export function eventOf(n: Notification): CameraEvent | undefined {
  const values = Object.values(n.data);
  const known = n.data.IsMotion ?? n.data.State ?? n.data.IsTamper ?? n.data.LogicalState ?? n.data.Value;
  const v = known ?? (values.length === 1 ? values[0] : undefined);
  if (v === undefined || !/^(true|false|0|1|on|off|active|inactive)$/i.test(v.trim())) return undefined;
  const active = truthy(v);
  if (/Motion/i.test(n.topic)) return { kind: 'motion', active };
  if (/Tamper|GlobalSceneChange/i.test(n.topic)) return { kind: 'alarm', type: 'tamper', active };
  const last = n.topic.split('/').pop() ?? 'alarm';
  return { kind: 'alarm', type: last.slice(0, 32), active };
}
