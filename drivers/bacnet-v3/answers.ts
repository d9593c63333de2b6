/** BACnet errors → the driver's answer codes (codes.ts). */
import { ErrorCode } from '@bacnet-js/client';
import type { Answer } from '../../edge/host/sdk/driver.js';
import { BacnetAbort, BacnetErrorPdu, BacnetMalformed, BacnetReject, BacnetTimeout } from '../../protocols/bacnet/errors.js';
import { ValueTypeError } from '../../protocols/bacnet/values.js';
import { CODES } from './codes.js';

export function failure<T>(err: unknown): Answer<T> {
  const message = (err as Error).message;
  if (err instanceof BacnetErrorPdu) {
    if (err.errorCode === ErrorCode.WRITE_ACCESS_DENIED) return { code: CODES.WRITE_DENIED, message };
    if (err.errorCode === ErrorCode.VALUE_OUT_OF_RANGE || err.errorCode === ErrorCode.INVALID_DATA_TYPE)
      return { code: CODES.VALUE_DOES_NOT_FIT, message };
    if (err.errorCode === ErrorCode.UNKNOWN_OBJECT || err.errorCode === ErrorCode.UNKNOWN_PROPERTY)
      return { code: CODES.NO_SUCH_OBJECT, message };
    return { code: CODES.BACNET_ERROR, message };
  }
  if (err instanceof BacnetReject) return { code: CODES.BACNET_REJECT, message };
  if (err instanceof BacnetAbort) return { code: CODES.BACNET_ABORT, message };
  if (err instanceof BacnetTimeout) return { code: CODES.NO_ANSWER, message };
  if (err instanceof BacnetMalformed || err instanceof ValueTypeError) return { code: CODES.MALFORMED_ANSWER, message };
  if (err instanceof RangeError) return { code: CODES.VALUE_DOES_NOT_FIT, message };
  const be = (err as { bacnetError?: { errorClass: number; errorCode: number } }).bacnetError;
  if (be) return failure(new BacnetErrorPdu(be.errorClass, be.errorCode));
  return { code: CODES.NO_ANSWER, message };
}
