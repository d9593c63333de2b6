/** The shared EBA device book: points feeding several devices, removal, faults. */
import { describe, expect, it } from 'vitest';
import { DeviceBook } from '../../drivers/eba-shared/book.js';
import { recordingHandle } from './helpers.js';

const pt = (id: string) => ({ id, channel: 'C1' });

describe('DeviceBook', () => {
  it('reports a point shared by two devices to both, and to the other one after a removal', () => {
    const book = new DeviceBook<{ id: string; channel: string }, number>();
    const a = recordingHandle('PK', 'a', {});
    const b = recordingHandle('PK', 'b', {});
    const shared = pt('s');
    const own = pt('o');
    book.add(
      a,
      new Map([
        ['Temp', shared],
        ['Own', own],
      ]),
    );
    book.add(b, new Map([['Outside', shared]]));
    book.block(
      [shared, own],
      [
        [shared, 21],
        [own, 5],
      ],
      1,
    );
    expect(a.values).toEqual({ Temp: 21, Own: 5 });
    expect(b.values).toEqual({ Outside: 21 });
    expect([a.status, b.status]).toEqual(['online', 'online']);
    book.fault('blk:x', [shared], 'modbus exception 2 (ILLEGAL DATA ADDRESS) to function 0x03');
    expect([a.status, b.status]).toEqual(['offline', 'offline']);
    book.remove(a);
    book.fault('blk:x', [shared], undefined);
    expect(b.status).toBe('online');
    book.block(
      [shared, own],
      [
        [shared, 22],
        [own, 6],
      ],
      2,
    );
    expect(b.values).toEqual({ Outside: 22 });
    expect(a.values).toEqual({ Temp: 21, Own: 5 }); // removed: no more reports
    expect(book.pointsOf('C1').map((p) => p.id)).toEqual(['s']);
  });
});
