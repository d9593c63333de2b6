/**
 * ReadPropertyMultiple requests encoded once per batch. A device is read with the same batches
 * every cycle, and the library encodes each request afresh (object by object, through small
 * buffers: most of the driver's garbage at 100 k values/s). This keeps the NPDU + APDU the
 * library's own encoders produce for a batch, exactly as `client.readPropertyMultiple` builds
 * it, and sends a copy with the invoke id patched; the answer is awaited on the library's
 * request manager, so errors, aborts and timeouts come back as they do through the library's
 * call, and decoded by rpm-ack.ts (the library's decoder for anything it does not know).
 */
import {
  ConfirmedServiceChoice,
  MaxSegmentsAccepted,
  NetworkLayerMessageType,
  NpduControlBit,
  NpduControlPriority,
  PduConReqBit,
  PduType,
} from '@bacnet-js/client';
import * as baApdu from '@bacnet-js/client/dist/lib/apdu.js';
import * as baNpdu from '@bacnet-js/client/dist/lib/npdu.js';
import { ReadPropertyMultiple } from '@bacnet-js/client/dist/lib/services/index.js';
import type { RpmBatch } from './batch.js';
import type { Client } from './client.js';
import { decodeRpmAck } from './rpm-ack.js';
import type { ReadResult } from './session.js';

/** BVLC header the client writes in front (original unicast). */
const BVLC = 4;
/** NPDU (version, control) for a receiver given by address only. */
const NPDU = 2;
/** Where the invoke id sits in the NPDU + APDU bytes: NPDU, PDU type, max segments/APDU. */
const INVOKE_AT = NPDU + 2;
const HOP_COUNT = 0xff;

type Answer = { buffer: Buffer; offset: number; length: number };
interface RequestManager {
  add(invokeId: number): Promise<Answer>;
}
export type RpmAck = ReturnType<typeof ReadPropertyMultiple.decodeAcknowledge> & object;

/** The library's request manager (private in its typings), if it is where this version keeps it. */
export function requestManagerOf(client: Client): RequestManager | undefined {
  const rm = (client as unknown as { _requestManager?: Partial<RequestManager> })._requestManager;
  return typeof rm?.add === 'function' ? (rm as RequestManager) : undefined;
}

/** NPDU + APDU of a batch's request with invoke id 0, as the library encodes it. */
export function encodeRpm(batch: RpmBatch, maxApduCode: number): Buffer {
  const b = { buffer: Buffer.alloc(BVLC + NPDU + 4 + 64 + batch.specs.length * 16 + batch.refs.length * 12), offset: BVLC };
  baNpdu.encode(
    b,
    NpduControlPriority.NORMAL_MESSAGE | NpduControlBit.EXPECTING_REPLY,
    { address: '' } as never,
    null as never,
    HOP_COUNT,
    NetworkLayerMessageType.WHO_IS_ROUTER_TO_NETWORK,
    0,
  );
  baApdu.encodeConfirmedServiceRequest(
    b,
    PduType.CONFIRMED_REQUEST | PduConReqBit.SEGMENTED_RESPONSE_ACCEPTED,
    ConfirmedServiceChoice.READ_PROPERTY_MULTIPLE,
    MaxSegmentsAccepted.SEGMENTS_65,
    maxApduCode,
    0,
    0,
    0,
  );
  ReadPropertyMultiple.encode(b, batch.specs as never);
  return Buffer.from(b.buffer.subarray(BVLC, b.offset));
}

const encoded = new WeakMap<RpmBatch, { code: number; bytes: Buffer }>();

/** Send a batch's request (encoded once per batch and max APDU) and decode the answer. */
export async function readMultipleEncoded(
  client: Client,
  rm: RequestManager,
  receiver: { address: string },
  invokeId: number,
  batch: RpmBatch,
  maxApduCode: number,
): Promise<ReadResult[]> {
  let e = encoded.get(batch);
  if (!e || e.code !== maxApduCode) encoded.set(batch, (e = { code: maxApduCode, bytes: encodeRpm(batch, maxApduCode) }));
  const buffer = Buffer.allocUnsafe(BVLC + e.bytes.length);
  e.bytes.copy(buffer, BVLC);
  buffer[BVLC + INVOKE_AT] = invokeId;
  client.sendBvlc(receiver as never, { buffer, offset: buffer.length });
  const data = await rm.add(invokeId);
  return decodeRpmAck(data.buffer, data.offset, data.length) ?? resultsOf(decodeWithLibrary(data));
}

function decodeWithLibrary(data: Answer): RpmAck {
  const result = ReadPropertyMultiple.decodeAcknowledge(data.buffer, data.offset, data.length);
  if (!result) throw new Error('INVALID_DECODING');
  return result;
}

const ERROR_TAG = 105;

/** The library's decoded RPM-ACK as one result per property. */
export function resultsOf(ack: RpmAck): ReadResult[] {
  const out: ReadResult[] = [];
  for (const obj of ack.values ?? []) {
    const { type, instance } = obj.objectId;
    for (const v of obj.values ?? []) {
      const first = v.value?.[0] as { type: number; value: unknown } | undefined;
      if (first?.type === ERROR_TAG)
        out.push({ objectType: type, instance, property: v.id, error: first.value as ReadResult['error'] & object });
      else out.push({ objectType: type, instance, property: v.id, value: (v.value ?? []) as { type: number; value: unknown }[] });
    }
  }
  return out;
}
