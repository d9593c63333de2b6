/**
 * RecordInfo (GB/T 28181-2016 §9.7, Annex A.2.4.5 query, A.2.6.6 response): the box asks a
 * device (or an NVR for a channel) for its recordings between two local times; the answer comes
 * paged like the catalog (SumNum, RecordList of Items, all with the query's SN).
 */
import { XMLBuilder } from 'fast-xml-parser';

export type RecordType = 'all' | 'time' | 'alarm' | 'manual';

export interface RecordQuery {
  /** GB local times `YYYY-MM-DDTHH:MM:SS`. */
  startTime: string;
  endTime: string;
  type: RecordType;
}

export interface RecordItem {
  deviceId: string;
  name: string;
  startTime: string;
  endTime: string;
  filePath?: string;
  address?: string;
  type?: string;
  fileSize?: number;
}

const builder = new XMLBuilder({ format: true });

export function buildRecordInfoQuery(deviceId: string, sn: number, q: RecordQuery): Buffer {
  const xml = builder.build({
    Query: { CmdType: 'RecordInfo', SN: sn, DeviceID: deviceId, StartTime: q.startTime, EndTime: q.endTime, Secrecy: 0, Type: q.type },
  }) as string;
  return Buffer.from(`<?xml version="1.0" encoding="GB2312"?>\n${xml}`, 'latin1');
}

const str = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : typeof v === 'number' ? String(v) : undefined);
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

/** One page of a RecordInfo Response: SumNum and the readable items (an item without times is left out). */
export function recordPage(fields: Record<string, unknown>): { sumNum: number; items: RecordItem[] } {
  const sumNum = Number(str(fields.SumNum, 10) ?? 0);
  const list = fields.RecordList;
  const raw = typeof list === 'object' && list !== null ? (list as { Item?: unknown }).Item : undefined;
  const arr = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const items: RecordItem[] = [];
  for (const it of arr.slice(0, 1000)) {
    if (typeof it !== 'object' || it === null) continue;
    const r = it as Record<string, unknown>;
    const startTime = str(r.StartTime, 19);
    const endTime = str(r.EndTime, 19);
    if (!startTime || !endTime || !TIME.test(startTime) || !TIME.test(endTime)) continue;
    const size = Number(str(r.FileSize, 16));
    items.push({
      deviceId: str(r.DeviceID, 20) ?? '',
      name: str(r.Name, 64) ?? '',
      startTime,
      endTime,
      ...(str(r.FilePath, 256) ? { filePath: str(r.FilePath, 256)! } : {}),
      ...(str(r.Address, 128) ? { address: str(r.Address, 128)! } : {}),
      ...(str(r.Type, 16) ? { type: str(r.Type, 16)! } : {}),
      ...(Number.isSafeInteger(size) && size >= 0 ? { fileSize: size } : {}),
    });
  }
  return { sumNum: Number.isInteger(sumNum) && sumNum >= 0 ? sumNum : 0, items };
}
