/**
 * A door that decides a card or QR code itself reports only the credential: the record and the
 * cloud's passEvent name the person the box's permission for that door names (issue 22: "a card
 * pass record has no person although the card belongs to one").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeCore, type TestCore } from './helpers.js';

const DOOR = 'PEDoorCard/HOLDER-DOOR.3';
const QR_DOOR = 'PEDoorQr/HOLDER-DOOR.2';

describe('pass records name the credential holder', () => {
  let t: TestCore | undefined;
  afterEach(() => t?.close());

  it('fills the person of a card and of a QR code the door decided, and leaves unknown ones empty', () => {
    t = makeCore();
    const now = Date.now();
    t.core.applyPermissionText(
      DOOR,
      JSON.stringify({
        tradCardPermissionList: [{ type: 1, cardId: 'C-HOLDER-1', userId: 'resident-7', endTime: String(now + 3_600_000) }],
      }),
    );
    t.core.applyPermissionText(
      QR_DOOR,
      JSON.stringify({
        qrCodePermissionList: [
          {
            type: 1,
            qrCode: 'HOLDERQR0001',
            userId: 'resident-8',
            startTime: String(now - 1000),
            endTime: String(now + 3_600_000),
            maxScanTimes: -1,
          },
        ],
      }),
    );
    const card = t.core.records.record({
      deviceKey: DOOR,
      kind: 'tradCard',
      content: 'C-HOLDER-1',
      code: 0,
      message: 'success',
      time: now,
    });
    const qr = t.core.records.record({
      deviceKey: QR_DOOR,
      kind: 'qrCode',
      content: 'HOLDERQR0001',
      code: 0,
      message: 'success',
      time: now,
    });
    const stranger = t.core.records.record({
      deviceKey: DOOR,
      kind: 'tradCard',
      content: 'C-UNKNOWN',
      code: 203,
      message: 'no card',
      time: now,
    });
    // The door's own statement wins over the lookup.
    const named = t.core.records.record({
      deviceKey: DOOR,
      kind: 'tradCard',
      content: 'C-HOLDER-1',
      code: 0,
      message: 'success',
      time: now,
      identityId: 'told-by-door',
    });
    const byPass = new Map(t.core.records.list({ limit: 10 }).map((r) => [r.pass_id, r.identity_id]));
    expect(byPass.get(card.passId)).toBe('resident-7');
    expect(byPass.get(qr.passId)).toBe('resident-8');
    expect(byPass.get(stranger.passId)).toBe('');
    expect(byPass.get(named.passId)).toBe('told-by-door');
    const event = t.outbox.ofPass(card.passId)?.payload;
    expect(JSON.parse(String(event?.extInfo))).toMatchObject({ cardId: 'C-HOLDER-1', userID: 'resident-7' });
  });
});
