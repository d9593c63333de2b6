/**
 * The box's setZoneAlertState calls to the units (arming and disarming, R20, L41066-41158).
 *
 * - **One at a time per unit, time taken when sent.** The unit drops a request whose `time` is
 *   not above the last it took (L41100-41109): two calls in flight could reach it in the other
 *   order and the later one be dropped as a replay.
 * - **Each call answers within `timeoutMs` in all**, waiting behind earlier calls included: the
 *   host's own limit on a driver call is longer, so a caller gets this driver's clear answer, not
 *   a timeout of the driver.
 * - **Offline is decided when the call's turn comes**, from the unit's current connection: a unit
 *   that went offline (or connected again with another key) while the call waited is not sent
 *   the old request. Calls that waited behind one the unit did not answer fail at once, as the
 *   unit is unreachable, instead of each waiting its own time limit.
 * - At most 100 calls per second to one unit (R13).
 */
import { DRIVER_ERRORS, fail, ok, type Answer } from '../../edge/host/sdk/driver.js';
import { SourceLimits } from '../../protocols/common/source-limits.js';
import { REQUEST_QPS, setZoneAlertState, type UnitSession } from '../../protocols/alarm-unit/index.js';

export interface AlertSenderDeps {
  /** The unit's connection if it is online (connected, and answered the ping). */
  online(ip: string): UnitSession | undefined;
  /** The next strictly increasing time for the unit (persisted). */
  nextTime(ip: string): number;
  timeoutMs: number;
  now?: () => number;
}

interface Queue {
  tail: Promise<void>;
  /** When a call last found the unit unreachable. */
  unreachableAt: number;
}

export class AlertStateSender {
  readonly #d: AlertSenderDeps;
  readonly #now: () => number;
  readonly #rate = new SourceLimits({ connections: Infinity, requestsPerS: REQUEST_QPS, burst: REQUEST_QPS, trackedSources: 65_536 });
  readonly #queues = new Map<string, Queue>();

  constructor(deps: AlertSenderDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Arm (2) or disarm (1) one zone; answers when the unit has, or why not. */
  send(ip: string, zoneID: string, zoneState: 1 | 2): Promise<Answer> {
    if (!this.#d.online(ip)) return Promise.resolve(offline(ip));
    if (!this.#rate.take(ip).ok)
      return Promise.resolve(
        fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, `at most ${REQUEST_QPS} setZoneAlertState per second to a unit (L41078)`),
      );
    let q = this.#queues.get(ip);
    if (!q) this.#queues.set(ip, (q = { tail: Promise.resolve(), unreachableAt: -Infinity }));
    const queue = q;
    const enqueuedAt = this.#now();
    const call = queue.tail.then(() => this.#turn(ip, zoneID, zoneState, queue, enqueuedAt));
    queue.tail = call.then(() => undefined);
    return call;
  }

  async #turn(ip: string, zoneID: string, zoneState: 1 | 2, q: Queue, enqueuedAt: number): Promise<Answer> {
    const s = this.#d.online(ip);
    if (!s) return offline(ip);
    if (s.port === -1) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, 'the unit gave no port (-1): the box cannot call it');
    if (q.unreachableAt >= enqueuedAt)
      return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, 'the unit did not answer the call before this one: unreachable, not sent');
    const left = enqueuedAt + this.#d.timeoutMs - this.#now();
    if (left <= 0)
      return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, `not sent: earlier calls to the unit took the ${this.#d.timeoutMs} ms time limit`);
    try {
      const r = await setZoneAlertState(s, [{ zoneID, zoneState, time: String(this.#d.nextTime(ip)) }], left);
      if (r.code !== 0) return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, `unit answered ${r.code} ${r.message}`);
      return ok();
    } catch (err) {
      q.unreachableAt = this.#now();
      return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, `the unit did not answer: ${(err as Error).message}`);
    }
  }
}

const offline = (ip: string): Answer => fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, `the unit ${ip} is offline (not connected)`);
