/**
 * Bridges the runtime onto the local bus: device reports, events and status go out in the
 * Alink shapes; service calls and property set/get come in and are answered on the
 * `_reply` topic with the same id. A bad request gets an error reply, never silence or a crash.
 */
import { answerOf, ERRORS, fail, type Answer } from '../errors.js';
import type { EventBus } from '../events.js';
import type { DriverHost } from '../host/host.js';
import type { Logger } from '../log.js';
import { STATUS_CODE, type DeviceRegistry, splitDeviceKey } from '../thing/registry.js';
import { deviceTopics } from '../thing/topics.js';
import { parseRequestTopic, REQUEST_FILTERS, topics } from './topics.js';
import type { BusTransport } from './transport.js';

const OWNER = 'bus-bridge';
export const MAX_REQUEST_BYTES = 256 * 1024;

export class BusBridge {
  readonly #events: EventBus;
  readonly #host: DriverHost;
  readonly #registry: DeviceRegistry;
  readonly #log: Logger;
  readonly #transport: BusTransport;
  readonly #gateway: { productKey: string; deviceName: string };
  #nextId = 1;
  published = 0;

  constructor(deps: {
    events: EventBus;
    host: DriverHost;
    registry: DeviceRegistry;
    log: Logger;
    transport: BusTransport;
    gateway: { productKey: string; deviceName: string };
  }) {
    this.#events = deps.events;
    this.#host = deps.host;
    this.#registry = deps.registry;
    this.#log = deps.log;
    this.#transport = deps.transport;
    this.#gateway = deps.gateway;
  }

  /** A box-made record event of a device (pass, elevator call, security alarm), committed before it is shown here. */
  #postRecordEvent(deviceKey: string, eventId: string, params: Record<string, unknown>, time: number): void {
    const [productKey, deviceName] = splitDeviceKey(deviceKey);
    this.#publish(topics.eventPost(productKey, deviceName, eventId), {
      id: String(this.#nextId++),
      version: '1.0',
      params: { value: params, time },
      method: `thing.event.${eventId}.post`,
    });
  }

  async start(): Promise<void> {
    this.#events.on(OWNER, 'device.properties', ({ productKey, deviceName, params }) => {
      this.#publish(topics.propertyPost(productKey, deviceName), {
        id: String(this.#nextId++),
        version: '1.0',
        params,
        method: 'thing.event.property.post',
      });
    });
    this.#events.on(OWNER, 'device.event', ({ productKey, deviceName, eventId, params, time }) => {
      this.#publish(topics.eventPost(productKey, deviceName, eventId), {
        id: String(this.#nextId++),
        version: '1.0',
        params: { value: params, time },
        method: `thing.event.${eventId}.post`,
      });
    });
    this.#events.on(OWNER, 'access.pass', ({ deviceKey, identifier, params, time }) =>
      this.#postRecordEvent(deviceKey, identifier, params, time),
    );
    this.#events.on(OWNER, 'elevator.record', ({ deviceKey, identifier, params, time }) =>
      this.#postRecordEvent(deviceKey, identifier, params, time),
    );
    this.#events.on(OWNER, 'security.alarm', ({ deviceKey, eventId, params, time }) =>
      this.#postRecordEvent(deviceKey, eventId, params, time),
    );
    this.#events.on(OWNER, 'device.status', ({ productKey, deviceName, status, reason }) => {
      this.#publish(
        topics.status(productKey, deviceName),
        { status, code: STATUS_CODE[status], time: Date.now(), ...(reason ? { reason } : {}) },
        true,
      );
    });
    this.#events.on(OWNER, 'driver.state', ({ driver, state, restarts, lastError }) => {
      this.#publish(topics.driverState(driver), { state, restarts, time: Date.now(), ...(lastError ? { lastError } : {}) }, true);
    });
    await this.#transport.subscribe(REQUEST_FILTERS, (topic, payload) => void this.#onRequest(topic, payload));
  }

  async stop(): Promise<void> {
    this.#events.removeAll(OWNER);
    await this.#transport.close();
  }

  #publish(topic: string, body: unknown, retain = false): void {
    this.published++;
    this.#transport.publish(topic, JSON.stringify(body), retain);
  }

  async #onRequest(topic: string, payload: Buffer): Promise<void> {
    const req = parseRequestTopic(topic);
    if (!req) return;
    let body: { id?: unknown; params?: unknown; requestId?: unknown } = {};
    let parseError: string | undefined;
    if (payload.length > MAX_REQUEST_BYTES) parseError = `payload of ${payload.length} bytes exceeds ${MAX_REQUEST_BYTES}`;
    else {
      try {
        const parsed: unknown = JSON.parse(payload.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) parseError = 'payload must be a JSON object';
        else body = parsed as typeof body;
      } catch {
        parseError = 'payload is not valid JSON';
      }
    }

    if (req.kind === 'deviceList') {
      this.#replyDeviceList(req.srcApp, req.gateway, body.requestId, parseError);
      return;
    }
    const id = typeof body.id === 'string' || typeof body.id === 'number' ? String(body.id) : '';
    let answer: Answer;
    if (parseError) answer = fail(ERRORS.EDGE_ERR_REQUEST_INVALID, parseError);
    else if (id === '') answer = fail(ERRORS.EDGE_ERR_REQUEST_INVALID, 'request needs an id (string)');
    else {
      try {
        answer = await this.#host.callService(req.pk, req.dn, req.serviceId, body.params ?? {});
      } catch (err) {
        answer = answerOf(err);
      }
    }
    this.#publish(deviceTopics.reply(topic), { id, code: answer.code, message: answer.message, data: answer.data ?? {}, version: '1.0' });
  }

  #replyDeviceList(
    srcApp: string,
    gateway: { pk: string; dn: string } | undefined,
    requestId: unknown,
    parseError: string | undefined,
  ): void {
    const base = { requestId: typeof requestId === 'string' ? requestId : '', timestamp: Date.now(), version: '1.0' };
    if (parseError || typeof requestId !== 'string') {
      const topic = gateway ? topics.gatewayDeviceListReply(srcApp, gateway.pk, gateway.dn) : topics.deviceListReply(srcApp);
      this.#publish(topic, { ...base, ...fail(ERRORS.EDGE_ERR_REQUEST_INVALID, parseError ?? 'requestId is required'), params: [] });
      return;
    }
    const deviceList = this.#registry.list().map((d) => ({
      productKey: d.productKey,
      deviceName: d.deviceName,
      localOnline: String(d.status === 'online'),
      cloudOnline: 'false',
      activationState: d.status === 'notActivated' ? 'notActivated' : 'activated',
      nickName: d.alias ?? d.deviceName,
    }));
    if (gateway) {
      // The gateway form carries the list itself and names the tag key `tag` (seed 001 L19955-19976).
      const list =
        gateway.pk === this.#gateway.productKey && gateway.dn === this.#gateway.deviceName
          ? deviceList.map((d) => ({ ...d, tag: [] }))
          : [];
      this.#publish(topics.gatewayDeviceListReply(srcApp, gateway.pk, gateway.dn), { ...base, code: 0, message: 'success', params: list });
    } else {
      this.#publish(topics.deviceListReply(srcApp), {
        ...base,
        code: 0,
        message: 'success',
        params: [
          {
            gwProductKey: this.#gateway.productKey,
            gwDeviceName: this.#gateway.deviceName,
            code: 0,
            message: 'success',
            deviceList: deviceList.map((d) => ({ ...d, tags: [] })),
          },
        ],
      });
    }
  }
}
