/**
 * What can go wrong in a BACnet exchange, as distinct error classes: the device answered
 * with an Error PDU (class + code), a Reject (reason), an Abort (reason), nothing at all, or
 * something that does not decode. Callers map them to their own answer codes.
 */
import { AbortReason, ErrorClass, ErrorCode, RejectReason } from '@bacnet-js/client';

const name = (e: Record<string, string | number>, v: number): string => {
  const k = Object.keys(e).find((key) => e[key] === v);
  return k ? k.toLowerCase().replace(/_/g, '-') : String(v);
};

export class BacnetTimeout extends Error {
  constructor(readonly address: string) {
    super(`no answer from ${address}`);
  }
}

export class BacnetErrorPdu extends Error {
  constructor(
    readonly errorClass: number,
    readonly errorCode: number,
  ) {
    super(
      `BACnet error ${name(ErrorClass as never, errorClass)}/${name(ErrorCode as never, errorCode)} (class ${errorClass}, code ${errorCode})`,
    );
  }
}

export class BacnetReject extends Error {
  constructor(readonly reason: number) {
    super(`BACnet reject: ${name(RejectReason as never, reason)} (${reason})`);
  }
}

export class BacnetAbort extends Error {
  constructor(readonly reason: number) {
    super(`BACnet abort: ${name(AbortReason as never, reason)} (${reason})`);
  }
}

export class BacnetMalformed extends Error {}

/** Turn the library's error strings into the classes above. */
export function classify(err: unknown, address: string, rejected: boolean): Error {
  const msg = err instanceof Error ? err.message : String(err);
  if (msg === 'ERR_TIMEOUT') return new BacnetTimeout(address);
  let m = /BacnetError - Class:(\d+) - Code:(\d+)/.exec(msg);
  if (m) return new BacnetErrorPdu(Number(m[1]), Number(m[2]));
  m = /BacnetAbort - Reason:(\d+)/.exec(msg);
  if (m) return rejected ? new BacnetReject(Number(m[1])) : new BacnetAbort(Number(m[1]));
  return new BacnetMalformed(`malformed answer from ${address}: ${msg}`);
}

/** The device cannot take a request this large (answer segmentation or buffer limits). */
export const isTooLarge = (e: Error): boolean =>
  (e instanceof BacnetAbort &&
    (e.reason === AbortReason.SEGMENTATION_NOT_SUPPORTED ||
      e.reason === AbortReason.BUFFER_OVERFLOW ||
      e.reason === AbortReason.APDU_TOO_LONG)) ||
  (e instanceof BacnetReject && e.reason === RejectReason.BUFFER_OVERFLOW);

/** The device does not implement the service (e.g. ReadPropertyMultiple). */
export const isUnsupportedService = (e: Error): boolean =>
  (e instanceof BacnetReject && e.reason === RejectReason.UNRECOGNIZED_SERVICE) ||
  (e instanceof BacnetErrorPdu &&
    (e.errorCode === ErrorCode.SERVICE_REQUEST_DENIED ||
      e.errorCode === ErrorCode.REJECT_UNRECOGNIZED_SERVICE ||
      e.errorCode === ErrorCode.OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED));
