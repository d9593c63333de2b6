/** The GB28181 simulator as one camera registering with the box on loopback (the media and cloud API tests). */
import { SimGbDevice } from '../../scripts/sim/gb28181/device.js';

export function simCamera(id: string, password: string, boxPort: number): SimGbDevice {
  return new SimGbDevice({
    id,
    password,
    boxHost: '127.0.0.1',
    boxPort,
    boxId: '34020000002000000001',
    domain: '3402000000',
    localAddress: '127.0.0.1',
    kind: 'camera',
    channels: 1,
    from33: false,
    keepaliveS: 60,
    expiresS: 3600,
    pageSize: 2,
  });
}
