/**
 * An adapter's alarm reports → the cloud record `securityAlarmEvent` v1.2 (seed 001
 * L28517-28753, digest 001d §3.E3). Reports of one event (same eventId and eventTime, one target
 * each, L42740) become one record whose `objectInfo` lists every target.
 *
 * Decided mappings (docs/security-devices.md):
 * - eventType: the record's String; 1-13 as their numbers ("9"-"13" are newer than the model's
 *   1-8 list), 100 "other" as the model writes it, `0xFF`;
 * - eventTime: `yyyy-MM-dd HH:mm:ss` (the model's format) in the configured zone;
 * - eventStatus: its String; confidence as is;
 * - pictures: Base64 in, URL out (`picSceneUrl`, `objPicUrl`, `facePicUrl`, ./pictures.ts);
 * - objectInfo: a JSON-array string, one element per target, the model's spellings and types
 *   (`letfTopX` String, `leftTopY` Integer, `rightBottomX`/`rightBottomY` String);
 * - extInfo: a JSON string: the event-type fields of the model's ExtInfo tables (from the first
 *   target's objectExtInfo) over the report's own extInfo; the event API's "unknown/other" 100 is
 *   the model's 0xFF (255) in gender, glass, mask, targetType, plateColor, vehicleColor.
 */
import type { AlarmEventReport } from '../../protocols/edge-security-event/index.js';

export interface TargetPictures {
  obj?: string;
  face?: string;
}

export interface StoredReport {
  report: AlarmEventReport;
  scene?: string;
  target: TargetPictures;
}

const OTHER_100_FIELDS = ['gender', 'glass', 'mask', 'targetType', 'plateColor', 'vehicleColor'];
export const MODEL_OTHER = 0xff;

export function formatLocal(ms: number, offsetMinutes: number): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** An extension with the event API's 100 "unknown/other" turned into the model's 0xFF. */
function modelExt(ext: Record<string, unknown> | undefined, facePicUrl?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...ext };
  for (const k of OTHER_100_FIELDS) if (out[k] === 100) out[k] = MODEL_OTHER;
  if (facePicUrl) out.facePicUrl = facePicUrl;
  return out;
}

function objectOf(s: StoredReport): Record<string, unknown> {
  const t = s.report.target;
  const o: Record<string, unknown> = {};
  if (s.target.obj) o.objPicUrl = s.target.obj;
  if (t?.leftTopX !== undefined) o.letfTopX = String(t.leftTopX);
  if (t?.leftTopY !== undefined) o.leftTopY = t.leftTopY;
  if (t?.rightBottomX !== undefined) o.rightBottomX = String(t.rightBottomX);
  if (t?.rightBottomY !== undefined) o.rightBottomY = String(t.rightBottomY);
  if (t?.ext) o.objectExtInfo = JSON.stringify(modelExt(t.ext, s.target.face));
  return o;
}

export function toSecurityAlarmEvent(
  camera: { productKey: string; deviceName: string },
  reports: readonly StoredReport[],
  offsetMinutes: number,
): Record<string, unknown> {
  const first = reports[0]!;
  const r = first.report;
  const params: Record<string, unknown> = {
    productKey: camera.productKey,
    deviceName: camera.deviceName,
    eventType: r.eventType === 100 ? '0xFF' : String(r.eventType),
    eventTime: formatLocal(r.eventTime * 1000, offsetMinutes),
    eventId: r.eventId,
  };
  if (r.eventStatus !== undefined) params.eventStatus = String(r.eventStatus);
  if (r.confidence !== undefined) params.confidence = r.confidence;
  const scene = reports.find((s) => s.scene)?.scene;
  if (scene) params.picSceneUrl = scene;
  const targets = reports.filter((s) => s.report.target).map(objectOf);
  if (targets.length > 0) params.objectInfo = JSON.stringify(targets);
  const own = typeof r.extInfo === 'string' ? { extInfo: r.extInfo } : r.extInfo;
  const ext = { ...own, ...modelExt(r.target?.ext, first.target.face) };
  if (Object.keys(ext).length > 0) params.extInfo = JSON.stringify(ext);
  return params;
}
