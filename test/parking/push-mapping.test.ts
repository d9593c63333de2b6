/** The push → record mapping on the seed's own example body (001 L40095-40105), and the app's import boundary. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { amountOf, imageUrl, maskPlate, parsePush, recordsOf } from '../../apps/parking-adapter/push-mapping.js';

const SEED_EXAMPLE = {
  carCode: '浙A5Cxxx',
  inTime: '2016-10-18 16:44:44',
  passTime: '2016-10-28 16:44:44',
  parkID: '88',
  inOrOut: '1',
  GUID: '134589c1d68d44d38dcb7f084b9cf8a1',
  channelID: '1',
  channelName: '北大门出口',
  imagePath: 'https://ss1.bdstatic.com\\70cFuXSh_xxx\\it\\u=3854694535,624476780&fm=11&gp=0.jpg',
};

describe('push mapping', () => {
  it("maps the seed's example to iot_park_pass_record by the sample's field rules (L40305-40384)", () => {
    const push = parsePush(SEED_EXAMPLE);
    if (typeof push === 'string') throw new Error(push);
    expect(recordsOf(push, new Date(2026, 0, 1))).toEqual([
      {
        modelId: 'iot_park_pass_record',
        imageAttrs: ['plateNumberImage'],
        properties: {
          direction: 1,
          openType: 2,
          plateNumber: '浙A5Cxxx',
          plateNumberImage: '',
          typePermission: 0,
          plateColor: 0,
          plateType: 0,
          vehicleColor: 0,
          vehicleType: 0,
          barrierId: '1',
          barrierName: '北大门出口',
          parkingLotId: '88',
          areaId: '未知',
          orderNumber: '',
          recordId: '未知',
          eventTime: '2016-10-28 16:44:44',
        },
      },
    ]);
    expect(imageUrl(push)).toBe('https://ss1.bdstatic.com/70cFuXSh_xxx/it/u=3854694535,624476780&fm=11&gp=0.jpg');
  });

  it('leaves barrierName out without a channel name, marks an odd inOrOut unknown, uses its own clock without a passTime', () => {
    const push = parsePush({ ...SEED_EXAMPLE, channelName: '', inOrOut: 7, passTime: 'soon' });
    if (typeof push === 'string') throw new Error(push);
    const [r] = recordsOf(push, new Date(2026, 4, 6, 7, 8, 9));
    expect(r!.properties).not.toHaveProperty('barrierName');
    expect(r!.properties).toMatchObject({ direction: 2, eventTime: '2026-05-06 07:08:09' });
  });

  it('refuses a push without its identifying fields', () => {
    for (const k of ['carCode', 'parkID', 'inOrOut', 'GUID', 'channelID'])
      expect(parsePush({ ...SEED_EXAMPLE, [k]: '' })).toBe(`${k} missing`);
    expect(parsePush([SEED_EXAMPLE])).toBe('body is not an object');
    expect(parsePush({ ...SEED_EXAMPLE, carCode: 'x'.repeat(600) })).toBe('carCode missing');
  });

  it('takes an amount only as yuan with two decimals in [0, 99999]', () => {
    expect(amountOf('12.5')).toBe(12.5);
    expect(amountOf('0')).toBe(0);
    expect(amountOf('99999.00')).toBe(99999);
    for (const bad of ['', '-1', '1.234', '100000', 'abc', '1e3']) expect(amountOf(bad)).toBeUndefined();
  });

  it('masks plates for the log', () => {
    expect(maskPlate('浙A12345')).toBe('浙***45');
    expect(maskPlate('AB')).toBe('***');
  });
});

describe('app boundary', () => {
  it('apps/ imports nothing from edge/, drivers/, protocols/ or scripts/ (an app talks HTTP to the box)', () => {
    const root = resolve(import.meta.dirname, '../..');
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const all = files(join(root, 'apps'));
    expect(all.length).toBeGreaterThan(10);
    const bad = all.flatMap((f) =>
      ts
        .preProcessFile(readFileSync(f, 'utf8'), true, true)
        .importedFiles.map((i) => i.fileName)
        .filter((spec) => spec.startsWith('.') && !resolve(join(f, '..'), spec).startsWith(join(root, 'apps')))
        .map((spec) => `${f}: ${spec}`),
    );
    expect(bad).toEqual([]);
  });
});
