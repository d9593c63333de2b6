/**
 * The simulated device's answers to the box's MANSCDP messages: Catalog (paged), DeviceInfo,
 * DeviceStatus, RecordInfo (synthetic recordings) and DeviceControl (recorded on the device,
 * Response for record/guard); Responses to its Alarm notifications are counted.
 */
import { gbTime, gbTimeMs } from '../../../protocols/gb28181/alarm.js';
import { controlOf } from '../../../protocols/gb28181/control.js';
import type { Manscdp } from '../../../protocols/gb28181/manscdp.js';
import type { SipResponse } from '../../../protocols/gb28181/message.js';
import { decodePtz } from '../../../protocols/gb28181/ptz.js';
import type { SimGbDevice } from './device.js';

/** Sends one MANSCDP message from the device to the box. */
export type SendManscdp = (root: 'Notify' | 'Response', fields: Record<string, unknown>) => Promise<SipResponse>;

export async function answerManscdp(d: SimGbDevice, m: Manscdp, send: SendManscdp): Promise<void> {
  if (m.root === 'Response' && m.cmd === 'Alarm') {
    d.alarmAcks++;
    return;
  }
  if (m.root === 'Control' && 'other' in m) return control(d, m.deviceId, m.sn, m.fields, send);
  if (m.root !== 'Query') return;
  d.queries.push(m.cmd);
  const base = { SN: m.sn, DeviceID: d.o.id };
  switch (m.cmd) {
    case 'Catalog':
      return catalog(d, m.sn, send);
    case 'DeviceInfo':
      await send('Response', {
        CmdType: 'DeviceInfo',
        ...base,
        DeviceName: `sim-${d.o.id.slice(-4)}`,
        Result: 'OK',
        Manufacturer: d.o.manufacturer ?? 'Property Edge Sim',
        Model: d.o.kind === 'nvr' ? 'SIM-NVR' : 'SIM-IPC',
        Firmware: 'V1.0.0',
        Channel: d.channelIds().length,
      });
      return;
    case 'DeviceStatus':
      await send('Response', {
        CmdType: 'DeviceStatus',
        ...base,
        Result: 'OK',
        Online: 'ONLINE',
        Status: 'OK',
        Encode: 'ON',
        Record: d.recording ? 'ON' : 'OFF',
        DeviceTime: gbTime(Date.now()),
        Alarmstatus: { Item: [] },
      });
      return;
    case 'RecordInfo':
      if ('other' in m) return records(m.deviceId, m.sn, m.fields, send);
      return;
  }
}

async function catalog(d: SimGbDevice, sn: number, send: SendManscdp): Promise<void> {
  const ids = d.channelIds();
  const items = ids.map((id, i) => ({
    DeviceID: id,
    Name: d.o.kind === 'camera' ? `Camera ${d.o.id.slice(-4)}` : `Gate${i + 1}`,
    Manufacturer: d.o.manufacturer ?? 'Property Edge Sim',
    Model: 'SIM-IPC',
    Owner: 'Owner',
    CivilCode: d.o.id.slice(0, 6),
    Address: 'Address',
    Parental: 0,
    ParentID: d.o.id,
    RegisterWay: 1,
    Secrecy: 0,
    Status: 'ON',
  }));
  for (let i = 0; i === 0 || i < items.length; i += d.o.pageSize) {
    const page = items.slice(i, i + d.o.pageSize);
    await send('Response', {
      CmdType: 'Catalog',
      SN: sn,
      DeviceID: d.o.id,
      SumNum: items.length,
      DeviceList: { Item: page },
    });
  }
}

/** Three recordings of 20 minutes each hour from StartTime on (at most 6), two per page. */
async function records(deviceId: string, sn: number, f: Record<string, unknown>, send: SendManscdp): Promise<void> {
  const start = gbTimeMs(String(f.StartTime ?? '')) ?? Date.now() - 3600_000;
  const end = gbTimeMs(String(f.EndTime ?? '')) ?? Date.now();
  const list: Record<string, unknown>[] = [];
  for (let t = start; t + 1_200_000 <= end && list.length < 6; t += 3600_000)
    list.push({
      DeviceID: deviceId,
      Name: `rec-${list.length + 1}`,
      FilePath: `/record/${deviceId}/${gbTime(t).replace(/\D/g, '')}.mp4`,
      Address: 'sim',
      StartTime: gbTime(t),
      EndTime: gbTime(t + 1_200_000),
      Secrecy: 0,
      Type: 'time',
      FileSize: 104_857_600,
    });
  for (let i = 0; i === 0 || i < list.length; i += 2) {
    const page = list.slice(i, i + 2);
    await send('Response', {
      CmdType: 'RecordInfo',
      SN: sn,
      DeviceID: deviceId,
      Name: deviceId,
      SumNum: list.length,
      RecordList: { Item: page },
    });
  }
}

async function control(d: SimGbDevice, deviceId: string, sn: number, f: Record<string, unknown>, send: SendManscdp): Promise<void> {
  const command = controlOf(f);
  if (!command) return;
  const decoded = 'PTZCmd' in command ? decodePtz(command.PTZCmd) : undefined;
  d.controls.push({ deviceId, command, ...(decoded?.ok ? { ptz: decoded.value } : {}), at: Date.now() });
  if ('RecordCmd' in command) d.recording = command.RecordCmd === 'Record';
  if ('GuardCmd' in command) d.guarded = command.GuardCmd === 'SetGuard';
  if ('RecordCmd' in command || 'GuardCmd' in command)
    await send('Response', { CmdType: 'DeviceControl', SN: sn, DeviceID: deviceId, Result: 'OK' });
}
