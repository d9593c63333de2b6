/**
 * The lean RPM-ACK decoder against the library's: answers encoded by the library (the
 * simulator's encoder) decode to the same results, values it does not know make it step aside
 * (undefined, the library decodes), and truncated or corrupted answers never give results the
 * library would not give.
 */
import { ApplicationTag } from '@bacnet-js/client';
import { ReadPropertyMultiple } from '@bacnet-js/client/dist/lib/services/index.js';
import { describe, expect, it } from 'vitest';
import { decodeRpmAck } from '../../protocols/bacnet/rpm-ack.js';
import { resultsOf } from '../../protocols/bacnet/rpm-request.js';
import type { ReadResult } from '../../protocols/bacnet/session.js';

type AppValue = { type: number; value: unknown };
const ALL = 0xffffffff;

function encodeAck(
  objects: { objectId: { type: number; instance: number }; values: { property: { id: number; index: number }; value: unknown[] }[] }[],
): Buffer {
  const b = { buffer: Buffer.alloc(65_536), offset: 0 };
  ReadPropertyMultiple.encodeAcknowledge(b, objects);
  return Buffer.from(b.buffer.subarray(0, b.offset));
}

/** The library's results without its `len` bookkeeping. */
function viaLibrary(buf: Buffer): ReadResult[] | undefined {
  let ack;
  try {
    ack = ReadPropertyMultiple.decodeAcknowledge(buf, 0, buf.length);
  } catch {
    return undefined;
  }
  if (!ack) return undefined;
  return resultsOf(ack).map((r) => (r.value ? { ...r, value: r.value.map((v) => ({ type: v.type, value: v.value })) } : r));
}

// A small deterministic generator, so a failure can be replayed.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function randomValue(r: () => number): AppValue {
  switch (Math.floor(r() * 6)) {
    case 0:
      return { type: ApplicationTag.REAL, value: Math.fround((r() - 0.5) * 1e6) };
    case 1:
      return { type: ApplicationTag.ENUMERATED, value: Math.floor(r() * 2 ** (8 * (1 + Math.floor(r() * 4)))) >>> 0 };
    case 2:
      return { type: ApplicationTag.UNSIGNED_INTEGER, value: 1 + Math.floor(r() * 70_000) };
    case 3:
      return { type: ApplicationTag.SIGNED_INTEGER, value: Math.floor((r() - 0.5) * 2 ** 30) };
    case 4:
      return { type: ApplicationTag.BOOLEAN, value: r() > 0.5 };
    default:
      return { type: ApplicationTag.NULL, value: null };
  }
}

function randomAck(r: () => number, withError: boolean): Parameters<typeof encodeAck>[0] {
  return Array.from({ length: 1 + Math.floor(r() * 20) }, () => ({
    objectId: { type: Math.floor(r() * 60), instance: Math.floor(r() * 4_194_303) },
    values: Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
      property: { id: [85, 111, 87, 1000, 70_000][Math.floor(r() * 5)]!, index: ALL },
      value:
        withError && r() < 0.2
          ? [{ value: { type: 'BacnetError', errorClass: 2, errorCode: Math.floor(r() * 300) } }]
          : Array.from({ length: 1 + Math.floor(r() * 2) }, () => randomValue(r)),
    })),
  }));
}

describe('lean RPM-ACK decoder', () => {
  it('decodes what the library encodes to the results the library decodes', () => {
    const r = rng(7);
    for (let i = 0; i < 300; i++) {
      const buf = encodeAck(randomAck(r, true));
      const fast = decodeRpmAck(buf, 0, buf.length);
      expect(fast).toBeDefined();
      expect(fast).toEqual(viaLibrary(buf));
    }
  });

  it('works at an offset inside a larger datagram', () => {
    const ack = encodeAck([
      {
        objectId: { type: 0, instance: 1 },
        values: [{ property: { id: 85, index: ALL }, value: [{ type: ApplicationTag.REAL, value: 21.5 }] }],
      },
    ]);
    const dgram = Buffer.concat([Buffer.from([0x81, 0x0a, 0, 0, 0x01, 0x00, 0x30, 0x05, 0x0e]), ack, Buffer.from([0x4f, 0x1f])]);
    expect(decodeRpmAck(dgram, 9, ack.length)).toEqual([
      { objectType: 0, instance: 1, property: 85, value: [{ type: ApplicationTag.REAL, value: 21.5 }] },
    ]);
  });

  it('steps aside for values it does not decode itself', () => {
    const other: AppValue[] = [
      { type: ApplicationTag.CHARACTER_STRING, value: 'Room 1' },
      { type: ApplicationTag.DOUBLE, value: 1.25 },
      { type: ApplicationTag.BIT_STRING, value: { bitsUsed: 4, value: [0] } },
      { type: ApplicationTag.OBJECTIDENTIFIER, value: { type: 8, instance: 5 } },
    ];
    for (const v of other) {
      const buf = encodeAck([
        {
          objectId: { type: 0, instance: 1 },
          values: [
            { property: { id: 85, index: ALL }, value: [{ type: ApplicationTag.REAL, value: 1 }] },
            { property: { id: 77, index: ALL }, value: [v] },
          ],
        },
      ]);
      expect(decodeRpmAck(buf, 0, buf.length)).toBeUndefined();
      expect(viaLibrary(buf)).toBeDefined();
    }
    const indexed = encodeAck([
      {
        objectId: { type: 1, instance: 2 },
        values: [{ property: { id: 87, index: 3 }, value: [{ type: ApplicationTag.NULL, value: null }] }],
      },
    ]);
    expect(decodeRpmAck(indexed, 0, indexed.length)).toBeUndefined();
  });

  it('never gives results the library would not give for truncated or corrupted answers', () => {
    const r = rng(11);
    for (let i = 0; i < 60; i++) {
      const buf = encodeAck(randomAck(r, true));
      for (let cut = 0; cut < buf.length; cut++) {
        const fast = decodeRpmAck(buf, 0, cut);
        if (fast) expect(fast).toEqual(viaLibrary(buf.subarray(0, cut)));
      }
      for (let k = 0; k < 40; k++) {
        const bad = Buffer.from(buf);
        bad[Math.floor(r() * bad.length)] = Math.floor(r() * 256);
        const fast = decodeRpmAck(bad, 0, bad.length);
        if (fast) expect(fast).toEqual(viaLibrary(bad));
      }
    }
  });
});
