/**
 * The driver process entry: `node child.js <driver module>`. It speaks the host protocol
 * over the IPC channel, so driver authors only write a `defineDriver` factory.
 */
import { HOST_CALL_TIMEOUT_MS } from './host-services.js';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { REDACT_PATHS } from './redact.js';
import type { DriverToHost, HostToDriver, PropsItem } from './protocol.js';
import { DRIVER_ERRORS, fail, formatMessage } from './answer.js';
import type { Answer, DeviceHandle, DeviceInfo, Driver, DriverFactory } from './driver.js';
import { deviceKey, keyOf } from './device-key.js';
import { platformNow, setClockOffset } from './clock.js';

const ADD_DEVICE_TIMEOUT_MS = 30_000;
// A batch is sent when it holds this many reports or values, whichever comes first: large IPC
// messages stall both processes (one JSON string of megabytes), small ones cost per message.
const MAX_BATCH_ITEMS = 1000;
const MAX_BATCH_VALUES = 4000;

function send(msg: DriverToHost): void {
  if (process.connected) process.send?.(msg);
}

let driver: Driver | undefined;
let driverName = '';
let log: pino.Logger = pino({ level: 'info', redact: REDACT_PATHS });
const handles = new Map<string, DeviceHandle>();
let pending: PropsItem[] = [];
let flushScheduled = false;
let pendingValues = 0;
let nextHostCallId = 1;
const hostCalls = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

/** `ctx.host.call`: one request to a host service, matched to its `hostReply` by id. */
function hostCall<T>(method: string, args: Record<string, unknown> = {}, timeoutMs = HOST_CALL_TIMEOUT_MS): Promise<Answer<T>> {
  const id = nextHostCallId++;
  return new Promise<Answer<T>>((resolve, reject) => {
    const timer = setTimeout(() => {
      hostCalls.delete(id);
      reject(new Error(`host service ${method} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    hostCalls.set(id, { resolve: resolve as (a: Answer) => void, reject, timer });
    send({ t: 'hostCall', id, method, args });
  });
}

function onHostReply(msg: Extract<HostToDriver, { t: 'hostReply' }>): void {
  const call = hostCalls.get(msg.id);
  if (!call) return; // answered after its time limit
  hostCalls.delete(msg.id);
  clearTimeout(call.timer);
  call.resolve({ code: msg.code, message: msg.message, ...(msg.data !== undefined ? { data: msg.data } : {}) });
}

// Reports are batched per event-loop turn: one IPC message carries many devices' values,
// which is what lets the host move tens of thousands of values a second.
function flush(): void {
  flushScheduled = false;
  if (pending.length === 0) return;
  const items = pending;
  pending = [];
  pendingValues = 0;
  send({ t: 'props', items });
}

function makeHandle(info: DeviceInfo): DeviceHandle {
  const { productKey: pk, deviceName: dn } = info;
  return {
    productKey: pk,
    deviceName: dn,
    custom: info.custom,
    log: log.child({ dev: deviceKey(pk, dn) }),
    online: () => send({ t: 'status', pk, dn, online: true }),
    offline: (reason?: string) => send({ t: 'status', pk, dn, online: false, ...(reason ? { reason } : {}) }),
    reportProperties: (values, time = platformNow()) => {
      pending.push([pk, dn, values, time]);
      pendingValues += Object.keys(values).length;
      if (pending.length >= MAX_BATCH_ITEMS || pendingValues >= MAX_BATCH_VALUES) flush();
      else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    reportEvent: (id, params, time = platformNow()) => {
      flush(); // keep order: values reported before the event go first
      send({ t: 'event', pk, dn, id, params, time });
    },
  };
}

async function addDevice(info: DeviceInfo): Promise<void> {
  const handle = makeHandle(info);
  handles.set(keyOf(info), handle);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      driver!.addDevice(handle),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`addDevice took over ${ADD_DEVICE_TIMEOUT_MS} ms`)), ADD_DEVICE_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    // One device failing never blocks the others: it is reported offline with the reason.
    handle.log.error({ err }, 'device failed to start');
    send({
      t: 'status',
      pk: info.productKey,
      dn: info.deviceName,
      online: false,
      reason: err instanceof Error ? err.message : String(err),
      failed: true,
    });
  } finally {
    clearTimeout(timer);
  }
}

async function removeDevice(key: string): Promise<void> {
  const handle = handles.get(key);
  if (!handle) return;
  handles.delete(key);
  try {
    await driver!.removeDevice(handle);
  } catch (err) {
    handle.log.error({ err }, 'removeDevice failed');
  }
}

async function onCall(msg: Extract<HostToDriver, { t: 'call' }>): Promise<void> {
  const handle = handles.get(deviceKey(msg.pk, msg.dn));
  try {
    if (!driver) throw new Error('driver not started');
    let answer;
    if (msg.op === 'discover') {
      answer = driver.discover
        ? await driver.discover(msg.params ?? {})
        : fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_NO_DISCOVERY, formatMessage(DRIVER_ERRORS.EDGE_ERR_DRIVER_NO_DISCOVERY.message, [driverName]));
    } else if (!handle) {
      answer = fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, `device ${msg.pk}/${msg.dn} not deployed to this driver`);
    } else if (msg.op === 'get') {
      answer = await driver.getProperties(handle, msg.keys ?? []);
    } else if (msg.op === 'set') {
      answer = await driver.setProperties(handle, msg.params ?? {});
    } else {
      answer = await driver.callService(handle, msg.service ?? '', msg.params ?? {});
    }
    send({
      t: 'reply',
      id: msg.id,
      code: answer.code,
      message: answer.message,
      ...(answer.data !== undefined ? { data: answer.data } : {}),
    });
  } catch (err) {
    log.error({ err, op: msg.op }, 'call failed');
    send({
      t: 'reply',
      id: msg.id,
      code: DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED.alink,
      message: err instanceof Error ? err.message : String(err),
    });
  }
}

async function onInit(msg: Extract<HostToDriver, { t: 'init' }>): Promise<void> {
  setClockOffset(msg.clockOffsetMs ?? 0);
  driverName = msg.name;
  log = pino(
    { level: msg.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { driver: msg.name, pid: process.pid } },
    // stdout is a pipe to the host, which writes the driver's own rotating log file.
    pino.destination({ fd: 1, sync: false }),
  );
  setInterval(() => send({ t: 'hb' }), msg.heartbeatMs).unref();
  const modulePath = process.argv[2];
  if (!modulePath) throw new Error('driver module path missing');
  const mod = (await import(pathToFileURL(modulePath).href)) as { default?: DriverFactory };
  if (typeof mod.default !== 'function') throw new Error(`${modulePath} has no default export created with defineDriver()`);
  driver = await mod.default({
    name: msg.name,
    config: msg.config,
    deviceList: msg.deviceList,
    log,
    dataDir: msg.dataDir,
    host: { call: hostCall },
  });
  await driver.start?.();
  await Promise.all(msg.deviceList.map(addDevice));
  flush();
  send({ t: 'ready' });
}

async function onStop(force: boolean): Promise<void> {
  flush();
  try {
    await driver?.stop?.(force);
  } catch (err) {
    log.error({ err }, 'stop failed');
  }
  send({ t: 'stopped' });
  log.flush?.();
  setTimeout(() => process.exit(0), 20).unref();
}

function fatal(err: unknown, what: string): void {
  // The host shows why the process ended (driver table, health) instead of only its exit code.
  send({ t: 'fatal', reason: `${what}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500) });
  try {
    log.fatal({ err }, what);
    log.flush?.();
  } catch {
    // the logger itself may be what failed
  }
  process.stderr.write(`${what}: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
}

process.on('uncaughtException', (err) => fatal(err, 'uncaught exception'));
process.on('unhandledRejection', (err) => fatal(err, 'unhandled rejection'));
// The host is gone: a driver must not outlive it.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => void onStop(true));

process.on('message', (raw: HostToDriver) => {
  switch (raw.t) {
    case 'init':
      onInit(raw).catch((err) => {
        // The host shows this reason (health, console, log) instead of a bare exit code.
        send({ t: 'startFailed', reason: err instanceof Error ? err.message : String(err) });
        fatal(err, 'driver failed to start');
      });
      break;
    case 'devices':
      void (async () => {
        await Promise.all(raw.remove.map((d) => removeDevice(keyOf(d))));
        await Promise.all(raw.add.map(addDevice));
      })();
      break;
    case 'call':
      void onCall(raw);
      break;
    case 'stop':
      void onStop(raw.force);
      break;
    case 'hostReply':
      onHostReply(raw);
      break;
    case 'clock':
      setClockOffset(raw.offsetMs);
      break;
  }
});
