/**
 * Chapter 9 handlers (seed 004 L919-1050): the box serves the terminals' own requests. In
 * `pull` face sync the face library is taken from the access core's pending deployments and
 * handed out on `/syrecord` (9.1); each change is confirmed by the terminal's feedback (9.4).
 */
import type { Logger } from 'pino';
import { fromConfiguredAddress } from '../../protocols/common/source-address.js';
import type { DevicePushHandlers, LibraryOp } from '../../protocols/face-openapi/index.js';
import type { AccessCalls } from '../face-shared/access-calls.js';
import { userIdOf } from '../face-shared/deployment.js';
import type { OpenApiDriverSettings } from './config.js';
import type { OpenApiTerminal } from './terminal.js';

interface Chapter9Deps {
  settings: OpenApiDriverSettings;
  calls: AccessCalls;
  log: Logger;
  byDeviceId(id: string): OpenApiTerminal | undefined;
  terminals(): OpenApiTerminal[];
  baseUrl(): string;
}

/** 9.1 `/syrecord`: in `pull` sync, the next changes of the terminal's face library (pictures on `/syimage`). */
async function library(
  deps: Chapter9Deps,
  images: Map<string, string>,
  t: OpenApiTerminal,
  lastQueryTime: number,
): Promise<{ list: LibraryOp[]; lastQueryTime: number }> {
  if (deps.settings.faceSync !== 'pull') return { list: [], lastQueryTime: Math.floor(Date.now() / 1000) };
  if (lastQueryTime === 0) await deps.calls.resetFaces(t.deviceKey); // "填0 则为全量更新" (L934)
  const entries = await deps.calls.pendingFaces(t.deviceKey, 50);
  const now = Math.floor(Date.now() / 1000);
  const list: LibraryOp[] = entries.map((e) => {
    const info = e.data?.userInfo ?? {};
    t.handedOut.set(e.id, { op: e.op, at: Date.now() });
    if (e.op === 'upsert') {
      t.faceUsers.set(e.id, userIdOf(e));
      if (e.data?.imageFile) images.set(e.id, e.data.imageFile);
    }
    return {
      operation: e.op === 'delete' ? 'delete' : 'save',
      userType: 'user',
      userId: e.id,
      userName: String(info.userName ?? e.userName ?? ''),
      userRemark: userIdOf(e).slice(0, 16),
      imageUrl: e.op === 'delete' ? '' : `${deps.baseUrl()}/syimage/${encodeURIComponent(e.id)}`,
      operateTime: now,
    };
  });
  return { list, lastQueryTime: now };
}

export function chapter9(deps: Chapter9Deps): DevicePushHandlers {
  const { calls, log } = deps;
  /** faceId → picture file, for /syimage (only faces handed out in a library answer). */
  const images = new Map<string, string>();
  const must = (id: string): OpenApiTerminal => deps.byDeviceId(id)!;

  return {
    knows: (id, source) => {
      const t = deps.byDeviceId(id);
      return t !== undefined && (source === undefined || fromConfiguredAddress(t.cfg.ip, source));
    },
    mayFetchImages: (source) => source === undefined || deps.terminals().some((t) => fromConfiguredAddress(t.cfg.ip, source)),

    library: (id, lastQueryTime) => library(deps, images, must(id), lastQueryTime),

    async compare(id, b) {
      const t = must(id);
      const screenTime = Number(b.screenTime);
      await t.onRecord(
        {
          id: `syface-${String(b.userId)}-${screenTime}`,
          userId: b.userId,
          name: b.userName,
          signTime: screenTime,
          type: 1,
          inputType: 1,
          similarity: b.similarity,
          temperature: parseFloat(String(b.temperature ?? '')) || undefined,
        },
        'syface',
      );
      return { openDoor: 1 }; // the terminal compared against the library the box gave it
    },

    async temperature(id, info) {
      const t = must(id);
      t.handle.reportEvent('temperatureEvent', {
        temperature: String(info.temperature ?? '').slice(0, 16),
        mask: info.mask === true ? 1 : 0,
        openCode: Number(info.openCode) || 0,
        openMsg: String(info.openMsg ?? '').slice(0, 32),
      });
    },

    async feedback(id, e) {
      const t = must(id);
      const faceId = String(e.userID ?? e.userId ?? '').trim();
      const status = String(e.status ?? '').trim();
      if (!faceId) return;
      t.handedOut.delete(faceId);
      await calls.ackFaces(
        t.deviceKey,
        [faceId],
        status === '100',
        status === '100' ? undefined : `terminal feedback ${status} ${String(e.msg ?? '')}`.trim(),
      );
    },

    async heartbeat(id) {
      log.debug({ dev: id }, 'terminal heartbeat');
    },

    async image(name) {
      const file = images.get(name.replace(/\.jpg$/, ''));
      if (!file) return undefined;
      const { readFile } = await import('node:fs/promises');
      return readFile(file).catch(() => undefined);
    },
  };
}
