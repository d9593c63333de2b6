/** The terminal's thing-model services, one handler each, called through `terminalService`. */
import { type Answer, type DeviceHandle, ok } from '../../edge/host/sdk/driver.js';
import { OpenApiCode } from '../../protocols/face-openapi/index.js';
import type { AccessCalls } from '../face-shared/access-calls.js';
import { badArgs, noService } from '../face-shared/answers.js';
import { failure } from './answers.js';
import type { OpenApiTerminal } from './terminal.js';

type Args = Record<string, unknown>;
type ServiceHandler = (t: OpenApiTerminal, args: Args, calls: AccessCalls) => Promise<Answer>;

async function jsonCmd(t: OpenApiTerminal, args: Args): Promise<Answer> {
  let cmd: unknown;
  try {
    cmd = JSON.parse(String(args.json ?? ''));
  } catch {
    return badArgs('json must be a JSON object');
  }
  if (!cmd || typeof cmd !== 'object' || Array.isArray(cmd)) return badArgs('json must be a JSON object');
  return ok({ json: JSON.stringify(await t.client.jsonCmd(cmd as Args)).slice(0, 10240) });
}

async function queryRecords(t: OpenApiTerminal, args: Args): Promise<Answer> {
  const q = {
    ...(args.startTime !== undefined ? { startTime: Number(args.startTime) } : {}),
    ...(args.endTime !== undefined ? { endTime: Number(args.endTime) } : {}),
    page: Number(args.page ?? 1),
    size: Number(args.size ?? 20),
  };
  const page = await t.client.records(q).catch((err) => {
    if ((err as { code?: number }).code === OpenApiCode.SEARCH_LIST_NULL) return { total: 0, data: [] }; // nothing found
    throw err;
  });
  return ok({ result: JSON.stringify(page).slice(0, 10240) });
}

const SERVICES: Record<string, ServiceHandler> = {
  remoteOpen: async (t, args) => {
    await t.client.open(typeof args.remark === 'string' ? args.remark : undefined);
    return ok();
  },
  syncTime: async (t) => {
    await t.client.syncTime();
    return ok();
  },
  reboot: async (t) => {
    await t.client.reboot();
    return ok();
  },
  jsonCmd,
  queryRecords,
  listUsers: async (t, args) =>
    ok({
      result: JSON.stringify(
        await t.client.listUsers({
          page: Number(args.page ?? 1),
          ...(typeof args.userId === 'string' && args.userId ? { userId: args.userId } : {}),
        }),
      ).slice(0, 10240),
    }),
  QueryFacePermTotal: async (t) => ok({ FacePermTotal: (await t.client.listUsers({ page: 1, size: 1 })).total }),
  resyncPersons: async (t, _args, calls) => ok(await calls.resetFaces(t.deviceKey)),
};

/** Run service `id` on the terminal; a terminal error becomes its answer code. */
export async function terminalService(calls: AccessCalls, t: OpenApiTerminal, h: DeviceHandle, id: string, args: Args): Promise<Answer> {
  const handler = Object.hasOwn(SERVICES, id) ? SERVICES[id] : undefined;
  if (!handler) return noService(id, h.productKey);
  try {
    return await handler(t, args, calls);
  } catch (err) {
    return failure(err);
  }
}
