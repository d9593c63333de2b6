/**
 * NVR channels as the cloud names them: `<NVR IoT code>_<channel>_<location>` (seed 001
 * L15758-15762, L16162-16166, e.g. `YPLXJ-000105_2_4# 3单元西电梯`), where some NVRs number their
 * channels from 33 and 32 is subtracted to get the real channel (L15777-15779).
 *
 * GB/T 28181 gives a channel only its 20-digit id; the channel number is read from the id's
 * last three digits (the sequence part of the code, §D.1: digits 14-20), which is how the
 * Hikvision, Dahua and Uniview NVRs the seed names number their channel codes. An NVR whose
 * channels are all numbered 33 or more is taken for one that starts at 33. The location is the
 * catalog item's Name (else its Address).
 */
import type { CatalogItem } from '../../protocols/gb28181/index.js';

export interface NamedChannel {
  gbId: string;
  channel: number;
  location: string;
  /** `<NVR code>_<channel>_<location>`. */
  name: string;
  /** ON / OFF as the catalog says; ON when it says nothing. */
  on: boolean;
  manufacturer?: string;
  model?: string;
}

const CH_FIRST_HIGH = 33;

export function channelNumber(gbId: string): number {
  return Number(gbId.slice(-3));
}

/** The NVR's video channels (items other than itself), numbered and named. */
export function nameChannels(nvrCode: string, nvrGbId: string, items: readonly CatalogItem[]): NamedChannel[] {
  const own = items.filter((i) => i.deviceId !== nvrGbId);
  const numbers = own.map((i) => channelNumber(i.deviceId));
  const offset = numbers.length > 0 && Math.min(...numbers) >= CH_FIRST_HIGH ? 32 : 0;
  return own.map((i) => {
    const channel = channelNumber(i.deviceId) - offset;
    const location = (i.name || i.address || '').replace(/_/g, ' ').trim();
    return {
      gbId: i.deviceId,
      channel,
      location,
      name: `${nvrCode}_${channel}_${location}`,
      on: i.status === undefined || i.status === 'ON' || i.status === 'ONLINE',
      ...(i.manufacturer ? { manufacturer: i.manufacturer } : {}),
      ...(i.model ? { model: i.model } : {}),
    };
  });
}
