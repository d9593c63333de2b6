/** NVR channel names `<NVR code>_<channel>_<location>` (seed 001 L15758-15779): numbering from 1 kept, from 33 shifted by 32. */
import { describe, expect, it } from 'vitest';
import { nameChannels } from '../../drivers/gb28181-camera/naming.js';

const NVR = '34020000001180000001';
const item = (n: string, name: string, status?: string) => ({ deviceId: `34020000001310000${n}`, name, ...(status ? { status } : {}) });

describe('NVR channel names', () => {
  it('keeps channels numbered from 1 and leaves the NVR itself out', () => {
    const got = nameChannels('YPLXJ-000105', NVR, [
      { deviceId: NVR, name: 'nvr' },
      item('002', '4# 3单元西电梯'),
      item('001', 'Camera01', 'OFF'),
    ]);
    expect(got.map((c) => [c.name, c.channel, c.on])).toEqual([
      ['YPLXJ-000105_2_4# 3单元西电梯', 2, true],
      ['YPLXJ-000105_1_Camera01', 1, false],
    ]);
  });

  it('subtracts 32 when every channel is numbered from 33', () => {
    expect(nameChannels('YPLXJ-000118', NVR, [item('033', 'Camera01'), item('040', 'Gate')]).map((c) => c.name)).toEqual([
      'YPLXJ-000118_1_Camera01',
      'YPLXJ-000118_8_Gate',
    ]);
    // One channel below 33: the NVR numbers from 1, nothing is shifted.
    expect(nameChannels('N', NVR, [item('033', 'a'), item('005', 'b')]).map((c) => c.channel)).toEqual([33, 5]);
  });
});
