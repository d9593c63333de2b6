/**
 * The parking system's in/out push (the Lifang body of seed 001 L40095-40105) checked at the
 * boundary and turned into data-model records: `iot_park_pass_record` by the field rules of the
 * seed's sample (L40305-40384) and the Lifang support table (L15032-15120), `iot_park_fee` when
 * the push carries a paid amount, `iot_park_blacklist_detect` when it flags a blacklisted car.
 * Fields the Lifang system does not supply get the model's "unknown" value. Which record field
 * takes the uploaded picture's file name is named per record (`imageAttrs`), filled after upload.
 */

export interface InOutPush {
  carCode: string;
  inTime: string;
  passTime: string;
  parkID: string;
  inOrOut: string;
  GUID: string;
  channelID: string;
  channelName: string;
  imagePath: string;
  orderNo: string;
  payMoney: string;
  blackList: string;
}

export interface PendingRecord {
  modelId: string;
  properties: Record<string, unknown>;
  /** Fields that take the uploaded picture's file name. */
  imageAttrs: string[];
}

/** The seed's sample writes "未知" (unknown) where the Lifang system gives nothing (L40378-40380). */
export const UNKNOWN = '未知';

const REQUIRED = ['carCode', 'parkID', 'inOrOut', 'GUID', 'channelID'] as const;
const OPTIONAL = ['inTime', 'passTime', 'channelName', 'imagePath', 'orderNo', 'payMoney', 'blackList'] as const;
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const MAX_FIELD = 512;

/** The push, every value a string, or the reason it is not one. Numbers are taken as their text. */
export function parsePush(body: unknown): InOutPush | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body is not an object';
  const b = body as Record<string, unknown>;
  const text = (k: string): string | undefined => {
    const v = b[k];
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    return typeof v === 'string' && v.length <= MAX_FIELD ? v.trim() : undefined;
  };
  const out: Record<string, string> = {};
  for (const k of REQUIRED) {
    const v = text(k);
    if (!v) return `${k} missing`;
    out[k] = v;
  }
  for (const k of OPTIONAL) out[k] = text(k) ?? '';
  return out as unknown as InOutPush;
}

/** `yyyy-MM-dd HH:mm:ss`, local time. */
export function localTime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The picture URL as the seed's sample normalises it (`UrlFormatUtil.change`, L40282): backslashes become slashes. */
export function imageUrl(push: InOutPush): string | undefined {
  const u = push.imagePath.replaceAll('\\', '/');
  return /^https?:\/\//i.test(u) ? u : undefined;
}

/** Yuan with two decimals in [0, 99999] (iot_park_fee.amount, L33522-33568), or undefined. */
export function amountOf(text: string): number | undefined {
  if (!/^\d{1,5}(\.\d{1,2})?$/.test(text)) return undefined;
  const n = Math.round(Number(text) * 100) / 100;
  return n <= 99999 ? n : undefined;
}

export function recordsOf(push: InOutPush, now: Date): PendingRecord[] {
  // 0 in / 1 out / 2 unknown; the example's "1" is at 北大门出口, an exit (L40095-40105).
  const direction = push.inOrOut === '0' ? 0 : push.inOrOut === '1' ? 1 : 2;
  // eventTime is when the local system saw the event (L33518-33519); its passTime is that, the adapter's clock only when it has none.
  const eventTime = TIME.test(push.passTime) ? push.passTime : localTime(now);
  const barrier = { barrierId: push.channelID, ...(push.channelName ? { barrierName: push.channelName } : {}) };
  const records: PendingRecord[] = [
    {
      modelId: 'iot_park_pass_record',
      imageAttrs: ['plateNumberImage'],
      properties: {
        direction,
        openType: 2,
        plateNumber: push.carCode,
        plateNumberImage: '',
        typePermission: 0,
        plateColor: 0,
        plateType: 0,
        vehicleColor: 0,
        vehicleType: 0,
        ...barrier,
        parkingLotId: push.parkID,
        areaId: UNKNOWN,
        orderNumber: push.orderNo,
        recordId: UNKNOWN,
        eventTime,
      },
    },
  ];
  const amount = amountOf(push.payMoney);
  if (amount !== undefined) {
    const exit = direction === 1;
    records.push({
      modelId: 'iot_park_fee',
      imageAttrs: [exit ? 'outImage' : 'inImage'],
      properties: {
        ...(exit
          ? { outBarrierId: push.channelID, ...(push.channelName ? { outBarrierName: push.channelName } : {}), outTime: push.passTime }
          : {}),
        payStatus: 0,
        orderNumber: push.orderNo,
        amount,
        inTime: push.inTime,
        plateNumber: push.carCode,
        areaId: UNKNOWN,
        parkingLotId: push.parkID,
        eventTime,
      },
    });
  }
  if (push.blackList === '1' && direction !== 2) {
    records.push({
      modelId: 'iot_park_blacklist_detect',
      imageAttrs: ['plateNumberImage'],
      properties: {
        direction,
        plateNumber: push.carCode,
        plateNumberImage: '',
        ...barrier,
        parkingLotId: push.parkID,
        areaId: UNKNOWN,
        eventTime,
      },
    });
  }
  return records;
}

/** A plate for the log: personal data, so only its province character and last two characters. */
export function maskPlate(plate: string): string {
  const chars = [...plate];
  if (chars.length <= 3) return '***';
  return `${chars[0]}***${chars.slice(-2).join('')}`;
}
