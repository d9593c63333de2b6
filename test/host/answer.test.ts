/** The Alink codes are one table (the SDK's) and the box's catalogue is built on it. */
import { describe, expect, it } from 'vitest';
import { ALINK, DRIVER_ERRORS, fail, formatMessage, ok } from '../../edge/host/sdk/answer.js';
import { ERRORS, answerOf, edgeError } from '../../edge/errors.js';

describe('answer codes', () => {
  it('names each Alink code once', () => {
    const codes = Object.values(ALINK);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("builds every catalogue entry on a named Alink code, the drivers' entries unchanged", () => {
    const named = new Set<number>(Object.values(ALINK));
    for (const [name, spec] of Object.entries(ERRORS)) expect(named.has(spec.alink), name).toBe(true);
    for (const [name, spec] of Object.entries(DRIVER_ERRORS)) expect(ERRORS[name as keyof typeof ERRORS]).toBe(spec);
  });

  it('tells "no discovery" from "driver module not found"', () => {
    expect(ERRORS.EDGE_ERR_DRIVER_NO_DISCOVERY.alink).not.toBe(ERRORS.EDGE_ERR_DRIVER_NOT_FOUND.alink);
  });

  it('answers the same whichever side builds it', () => {
    const spec = DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE;
    expect(fail(spec, formatMessage(spec.message, ['pk', 'dn']))).toEqual(answerOf(edgeError('EDGE_ERR_DEVICE_OFFLINE', 'pk', 'dn')));
    expect(ok({ a: 1 })).toEqual({ code: 200, message: 'success', data: { a: 1 } });
  });
});
