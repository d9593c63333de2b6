/**
 * A unit's reportAlarm stored by the host, one thing-model event per element (R19), before the
 * unit is answered (host service `security.recordAlarm`, edge/security/alarms.ts).
 *
 * Storing a report is idempotent per element. A report that fails part-way answers code 99 and
 * the unit sends the whole of it again (L41250); the elements stored the first time must not be
 * stored twice. Each element carries a key among its device's alarms — zone, time and event — and
 * the host stores nothing for a key it already has. An element without `alarmTime` takes the
 * report's receipt time, which a resend would not repeat: a report that failed is remembered
 * (its unit and elements) with its first receipt time for `RETRY_WINDOW_MS`, and a resend within
 * that window gets the same time and so the same keys. Such elements are also keyed by their
 * position, so two alarms of one zone in one report without a time stay two, and receipt times
 * strictly increase per unit, so two reports received in one millisecond stay two.
 */
import type { DriverContext } from '../../edge/host/sdk/driver.js';
import { AlarmCode, AlarmProtocolError, type AlarmInfo } from '../../protocols/alarm-unit/index.js';

/** How long a failed report's receipt time is kept for its resend. */
export const RETRY_WINDOW_MS = 60_000;
/** Failed reports remembered at most (a store that keeps failing must not grow the map). */
const MAX_REMEMBERED = 1024;

/** Where an element goes: the zone's device, or the unit's with the zone in the params. */
export interface AlarmTarget {
  deviceKey: string;
  params: Record<string, unknown>;
}

export class AlarmReports {
  readonly #host: DriverContext['host'];
  readonly #log: DriverContext['log'];
  readonly #now: () => number;
  /** unit address + elements → first receipt time and when it failed. */
  readonly #failed = new Map<string, { receivedAt: number; failedAt: number }>();
  /** The last receipt time given to each unit's reports. */
  readonly #lastAt = new Map<string, number>();

  constructor(deps: Pick<DriverContext, 'host' | 'log'>, now: () => number = Date.now) {
    this.#host = deps.host;
    this.#log = deps.log;
    this.#now = now;
  }

  /** Store every element of one report; throws the protocol's 99 if one could not be stored. */
  async store(ip: string, alarms: AlarmInfo[], receivedAt: number, targetOf: (a: AlarmInfo) => AlarmTarget | undefined): Promise<void> {
    const report = `${ip}|${JSON.stringify(alarms)}`;
    const earlier = this.#failed.get(report);
    const at = earlier && this.#now() - earlier.failedAt <= RETRY_WINDOW_MS ? earlier.receivedAt : this.#receiptTime(ip, receivedAt);
    for (const [i, a] of alarms.entries()) {
      const target = targetOf(a);
      if (!target) continue;
      const time = a.alarmTime === undefined ? at : Number(a.alarmTime);
      const dedupKey = a.alarmTime === undefined ? `Alarm|${a.zoneID}|${time}|#${i}` : `Alarm|${a.zoneID}|${time}`;
      const r = await this.#host.call('security.recordAlarm', {
        deviceKey: target.deviceKey,
        eventId: 'Alarm',
        params: target.params,
        time,
        dedupKey,
      });
      if (r.code !== 200) {
        this.#log.error(
          { unit: ip, zoneID: a.zoneID, code: r.code, message: r.message },
          'alarm not stored; the unit is told to send it again',
        );
        this.#remember(report, at);
        throw new AlarmProtocolError(AlarmCode.OTHER, 'alarm not stored, send it again');
      }
    }
    this.#failed.delete(report);
  }

  #receiptTime(ip: string, receivedAt: number): number {
    const at = Math.max(receivedAt, (this.#lastAt.get(ip) ?? 0) + 1);
    this.#lastAt.set(ip, at);
    return at;
  }

  #remember(report: string, receivedAt: number): void {
    this.#failed.delete(report);
    this.#failed.set(report, { receivedAt, failedAt: this.#now() });
    if (this.#failed.size > MAX_REMEMBERED) this.#failed.delete(this.#failed.keys().next().value!);
  }
}
