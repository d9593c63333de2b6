/**
 * The in/out push the parking system sends to the adapter, in the Lifang body of the seed's
 * self-test example (001 L40095-40105): every value a string, `inOrOut` "0" entry / "1" exit
 * (the example's "1" is at 北大门出口, an exit). The optional `orderNo`, `payMoney` and
 * `blackList` are this simulator's additions for the pushes that carry a fee or a blacklisted car
 * (docs/parking.md).
 */
import sharp from 'sharp';

export interface InOutPush {
  carCode: string;
  inTime: string;
  passTime: string;
  parkID: string;
  inOrOut: '0' | '1';
  GUID: string;
  channelID: string;
  channelName: string;
  imagePath: string;
  orderNo?: string;
  /** Yuan, two decimals, as a string ("12.50"). */
  payMoney?: string;
  /** "1" when the car is on the black list of that channel's area or lot. */
  blackList?: '1';
}

let jpeg: Promise<Buffer> | undefined;

/** A small plate-coloured JPEG (blue plate, white rim): stands in for the camera's plate picture. */
export function plateJpeg(): Promise<Buffer> {
  jpeg ??= sharp({ create: { width: 220, height: 70, channels: 3, background: { r: 250, g: 250, b: 250 } } })
    .composite([
      {
        input: { create: { width: 208, height: 58, channels: 3, background: { r: 20, g: 60, b: 170 } } },
        left: 6,
        top: 6,
      },
    ])
    .jpeg({ quality: 70 })
    .toBuffer();
  return jpeg;
}

/** Posts a push and returns the adapter's answer (`{resCode, resMsg}`), or the transport error. */
export async function sendPush(url: string, push: InOutPush, timeoutMs = 10_000): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(push),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { status: res.status, body: text };
  }
}
