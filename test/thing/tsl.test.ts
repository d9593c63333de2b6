import { describe, expect, it } from 'vitest';
import { parseThingModel, type DataType } from '../../edge/thing/tsl.js';
import { compileValidator } from '../../edge/thing/value.js';
import { EdgeError } from '../../edge/errors.js';

import { SEED_TSL } from './seed-tsl.js';

describe('TSL loading', () => {
  it('loads the seed example, including the JSON-string form the cloud returns', () => {
    for (const input of [SEED_TSL, JSON.stringify(SEED_TSL)]) {
      const m = parseThingModel(input);
      expect(m.productKey).toBe('a1PHv5Xn2xX');
      expect([...m.properties.keys()]).toEqual(['CurtainOperation', 'PowerSwitch', 'CurtainPosition', 'LocalTimer']);
      const pos = m.properties.get('CurtainPosition')!.dataType;
      expect(pos).toEqual({ type: 'int', specs: { min: 0, max: 100, step: 1, unit: '%', unitName: '百分⽐' } });
      const timer = m.properties.get('LocalTimer')!.dataType as Extract<DataType, { type: 'array' }>;
      expect(timer.specs.size).toBe(109);
      expect(timer.specs.item.type).toBe('struct');
      expect(m.events.get('post')!.type).toBe('info');
      expect(m.services.get('get')!.inputData).toEqual([]);
    }
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['unknown type', { type: 'long', specs: {} }, /unknown data type "long"/],
    ['text too long', { type: 'text', specs: { length: '10241' } }, /text length must be an integer 1..10240/],
    ['array too big', { type: 'array', specs: { size: '513', item: { type: 'int', specs: {} } } }, /array size must be an integer 1..512/],
    ['array of bool', { type: 'array', specs: { size: '3', item: { type: 'bool', specs: {} } } }, /array item type must be one of/],
    ['min above max', { type: 'int', specs: { min: '5', max: '1' } }, /min 5 is above max 1/],
    ['non-numeric min', { type: 'float', specs: { min: 'abc' } }, /expected a number/],
    ['bool key 2', { type: 'bool', specs: { '2': 'x' } }, /bool keys are 0 and 1/],
    ['empty enum', { type: 'enum', specs: {} }, /enum needs at least one item/],
    [
      'struct in struct',
      { type: 'struct', specs: [{ identifier: 'a', dataType: { type: 'struct', specs: [] } }] },
      /cannot be a struct or an array/,
    ],
    ['zero step', { type: 'double', specs: { step: '0' } }, /step must be positive/],
  ];
  it.each(bad)('refuses %s with the path of the problem', (_name, dataType, message) => {
    const doc = {
      profile: { productKey: 'P' },
      properties: [
        { identifier: 'ok', dataType: { type: 'int', specs: {} } },
        { identifier: 'x', dataType },
      ],
    };
    let err: unknown;
    try {
      parseThingModel(doc);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EdgeError);
    expect((err as EdgeError).code).toBe('EDGE_ERR_TSL_INVALID');
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/properties\[1\]\.dataType/);
  });

  it('refuses duplicate property identifiers', () => {
    const p = { identifier: 'A', dataType: { type: 'int', specs: {} } };
    expect(() => parseThingModel({ profile: { productKey: 'P' }, properties: [p, p] })).toThrow(/duplicate property A/);
  });
});

type Case = [unknown, { ok: true; value: unknown } | { ok: false; reason: RegExp }];
const ok = (value: unknown) => ({ ok: true as const, value });
const no = (reason: RegExp) => ({ ok: false as const, reason });

const table: Array<[string, DataType, Case[]]> = [
  [
    'int with range and step',
    { type: 'int', specs: { min: 0, max: 100, step: 5 } },
    [
      [0, ok(0)],
      [100, ok(100)],
      ['55', ok(55)],
      [7, ok(5)],
      [8, ok(10)],
      [-1, no(/below min 0/)],
      [101, no(/above max 100/)],
      [1.5, no(/not an integer/)],
      ['x', no(/not a number/)],
      [null, no(/not a number/)],
      [2 ** 31, no(/above max|32-bit/)],
      [true, ok(0)],
    ],
  ],
  [
    'int without specs',
    { type: 'int', specs: {} },
    [
      [-2147483648, ok(-2147483648)],
      [2147483648, no(/32-bit/)],
      [NaN, no(/not a number/)],
    ],
  ],
  [
    'float step 0.1',
    { type: 'float', specs: { min: -40, max: 80, step: 0.1 } },
    [
      [21.55, ok(21.6)],
      [-40, ok(-40)],
      [80.04, no(/above max 80/)],
      [-40.01, no(/below min/)],
      [Infinity, no(/not a number/)],
      ['23.4', ok(23.4)],
      [4e39, no(/above max|float out of range/)],
    ],
  ],
  [
    'float no bounds',
    { type: 'float', specs: {} },
    [
      [3.5e38, no(/float out of range/)],
      [1e-9, ok(1e-9)],
    ],
  ],
  [
    'double',
    { type: 'double', specs: { min: 0, step: 0.001 } },
    [
      [1234567.0004, ok(1234567)],
      [0.0015, ok(0.002)],
      [-0.1, no(/below min/)],
    ],
  ],
  [
    'text length 4',
    { type: 'text', specs: { length: 4 } },
    [
      ['abcd', ok('abcd')],
      ['abcde', no(/longer than 4/)],
      [12, ok('12')],
      [{}, no(/not text/)],
      ['门禁一体', ok('门禁一体')],
    ],
  ],
  [
    'date as UTC ms string',
    { type: 'date', specs: {} },
    [
      ['1605786342845', ok('1605786342845')],
      [1605786342845, ok('1605786342845')],
      ['2020-11-19', no(/UTC millisecond/)],
      [-1, no(/UTC millisecond/)],
      [1.5, no(/UTC millisecond/)],
    ],
  ],
  [
    'bool',
    { type: 'bool', specs: { '0': '关', '1': '开' } },
    [
      [0, ok(0)],
      [1, ok(1)],
      [true, ok(1)],
      [false, ok(0)],
      ['1', ok(1)],
      [2, no(/not one of/)],
      ['on', no(/needs an integer/)],
    ],
  ],
  [
    'enum',
    { type: 'enum', specs: { '0': 'a', '1': 'b', '2': 'c' } },
    [
      [2, ok(2)],
      ['1', ok(1)],
      [3, no(/3 is not one of 0, 1, 2/)],
      [1.2, no(/needs an integer/)],
    ],
  ],
  [
    'struct',
    {
      type: 'struct',
      specs: [
        { identifier: 'Timer', name: 't', dataType: { type: 'text', specs: { length: 5 } } },
        { identifier: 'Enable', name: 'e', dataType: { type: 'bool', specs: {} } },
      ],
    },
    [
      [{ Timer: '08:00', Enable: true }, ok({ Timer: '08:00', Enable: 1 })],
      [{ Timer: '08:00:00' }, no(/Timer: text longer than 5/)],
      [{ Other: 1 }, no(/unknown struct member Other/)],
      [[1], no(/struct needs an object/)],
      [{}, ok({})],
    ],
  ],
  [
    'array of int size 3',
    { type: 'array', specs: { size: 3, item: { type: 'int', specs: { min: 0 } } } },
    [
      [[1, 2, 3], ok([1, 2, 3])],
      [[1, 2, 3, 4], no(/4 elements, size is 3/)],
      [[1, -2], no(/\[1\]: -2 below min 0/)],
      ['1,2', no(/array needs a list/)],
      [[], ok([])],
    ],
  ],
  [
    'array of struct',
    {
      type: 'array',
      specs: { size: 2, item: { type: 'struct', specs: [{ identifier: 'A', name: 'a', dataType: { type: 'int', specs: { max: 1 } } }] } },
    },
    [
      [[{ A: 1 }, { A: 0 }], ok([{ A: 1 }, { A: 0 }])],
      [[{ A: 2 }], no(/\[0\]: A: 2 above max 1/)],
    ],
  ],
];

describe.each(table)('value checks: %s', (_name, dt, cases) => {
  const check = compileValidator(dt);
  it.each(cases)('%j', (input, expected) => {
    const r = check(input);
    if (expected.ok) expect(r).toEqual({ ok: true, value: expected.value });
    else {
      expect(r.ok).toBe(false);
      expect((r as { reason: string }).reason).toMatch(expected.reason);
    }
  });
});
