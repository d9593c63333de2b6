/** The compact shadow: last value and time per property of the model, Map-like reads, kept across a model change where the property still exists. */
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../edge/thing/model.js';
import { Shadow } from '../../edge/thing/shadow.js';
import { parseThingModel } from '../../edge/thing/tsl.js';

const model = (ids: string[]) =>
  compileModel(
    parseThingModel({
      schema: 'https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json',
      profile: { productKey: 'pk' },
      properties: ids.map((identifier) => ({
        identifier,
        name: identifier,
        accessMode: 'rw',
        required: false,
        dataType: { type: 'double', specs: { min: '-1000', max: '1000' } },
      })),
      events: [],
      services: [],
    }),
  );

describe('shadow', () => {
  it('keeps the last value and time of each property; unknown properties are ignored', () => {
    const s = new Shadow(model(['Voltage', 'Current', 'Power']));
    expect(s.size).toBe(0);
    expect(s.get('Voltage')).toBeUndefined();
    s.set('Power', 1.5, 100);
    s.set('Voltage', 220.1, 200);
    s.set('Voltage', 221.4, 300);
    s.set('Humidity', 50, 400);
    expect(s.get('Voltage')).toEqual({ value: 221.4, time: 300 });
    expect(s.get('Humidity')).toBeUndefined();
    expect(s.size).toBe(2);
    expect(Object.fromEntries(s)).toEqual({ Voltage: { value: 221.4, time: 300 }, Power: { value: 1.5, time: 100 } });
    s.set('Current', 0, 0); // zero value at time 0 is a value
    expect(s.get('Current')).toEqual({ value: 0, time: 0 });
  });

  it('carries values over to a changed model where the property still exists', () => {
    const s = new Shadow(model(['A', 'B']));
    s.set('A', 1, 10);
    s.set('B', 2, 20);
    const next = s.rebase(model(['B', 'C']));
    expect(next.get('A')).toBeUndefined();
    expect(next.get('B')).toEqual({ value: 2, time: 20 });
    expect(next.get('C')).toBeUndefined();
  });
});
