/**
 * Status polling (R27, L41765-41840): `edgeEventAdapter/deviceManage/getStatus` lists the
 * vendor's devices with `status` 0 (connection abnormal) or 1 (normal) and `unnormalInfo`. Each
 * camera it names goes online or offline with that reason, and its `Status` / `UnnormalInfo`
 * properties follow. An adapter that does not answer is offline, and its cameras with it; one
 * that answers is online again.
 */
import type { Logger } from 'pino';
import { isObj, type AdapterApi, type EseReply, type Obj } from '../../protocols/edge-security-event/index.js';
import type { Adapter, Camera, DeviceBook } from './book.js';

function setState(cam: Camera, status: 0 | 1, info: string): void {
  const changed = cam.status !== status || cam.unnormalInfo !== info;
  cam.status = status;
  cam.unnormalInfo = info;
  if (status === 1) cam.handle.online();
  else cam.handle.offline(info || 'the adapter reports the connection abnormal');
  if (changed) cam.handle.reportProperties({ Status: status, UnnormalInfo: info });
}

export async function pollStatus(
  adapter: Adapter,
  book: DeviceBook,
  call: (api: AdapterApi, params: Obj) => Promise<EseReply>,
  log: Logger,
): Promise<void> {
  let reply: EseReply;
  try {
    reply = await call('deviceManage/getStatus', {});
  } catch (err) {
    const why = `adapter does not answer getStatus: ${(err as Error).message}`;
    log.warn({ adapter: adapter.ip, err: (err as Error).message }, 'adapter does not answer getStatus; it and its cameras are offline');
    adapter.handle.offline(why);
    for (const cam of book.cameras(adapter.manufacture)) cam.handle.offline(why);
    return;
  }
  adapter.handle.online();
  if (reply.code !== 200 || !Array.isArray(reply.data)) {
    log.warn({ adapter: adapter.ip, code: reply.code, message: reply.message }, 'adapter answered getStatus without a device list');
    return;
  }
  for (const e of reply.data) {
    if (!isObj(e) || typeof e.ip !== 'string' || (e.status !== 0 && e.status !== 1) || typeof e.deviceType !== 'number') continue;
    const at = { ip: e.ip, deviceType: e.deviceType as 1 | 2 | 3, channel: typeof e.channel === 'number' ? e.channel : 0 };
    const info = typeof e.unnormalInfo === 'string' ? e.unnormalInfo.slice(0, 256) : '';
    for (const cam of book.at(at)) if (cam.manufacture === adapter.manufacture) setState(cam, e.status, e.status === 1 ? '' : info);
  }
}
