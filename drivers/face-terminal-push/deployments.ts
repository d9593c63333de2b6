/**
 * Face deployments of the access core ↔ person commands of the push protocol (seed 003 2.2.1).
 * Every face taken from the access core ends in exactly one report back: done, refused by the
 * terminal, no answer after the queue's attempts (`transferTimeout`/`deleteTimeout`), or the
 * terminal gone silent (`deviceOffline`). The access core then retries or flags `needManual`.
 */
import type { Logger } from 'pino';
import { PUSH_CODE_TEXT } from '../../protocols/face-push/index.js';
import { timeoutStatus, userIdOf, type FaceDeployment } from '../face-shared/deployment.js';
import type { PushDriverSettings } from './config.js';
import type { HostCalls, QueuedCommand } from './host-calls.js';
import { flipped, personOf, type PersonOp } from './person.js';
import type { PushTerminal } from './terminal.js';

/** Person-sync batch taken from the access core per poll without a queued command. */
const FACE_BATCH = 10;
/** 人员信息参数非法 (§3.2): also what a terminal answers to an add of a held idNumber or an update of a missing one. */
const PERSON_INVALID = '300';

interface PersonPayload {
  person: PersonOp;
  deploy: { kind: 'face'; item: string; op: FaceDeployment['op'] };
  /** Already retried with the other of add/update. */
  flipped?: true;
}

const payloadOf = (c: QueuedCommand): PersonPayload | undefined => {
  const p = c.payload as Partial<PersonPayload>;
  return c.service === 'person' && p.person && p.deploy?.item ? (p as PersonPayload) : undefined;
};

export class FaceDeployments {
  readonly #settings: PushDriverSettings;
  readonly #calls: HostCalls;
  readonly #log: Logger;
  /** faceId → userId of faces this driver deployed (for pass records). */
  readonly faceUsers = new Map<string, string>();

  constructor(settings: PushDriverSettings, calls: HostCalls, log: Logger) {
    this.#settings = settings;
    this.#calls = calls;
    this.#log = log;
  }

  /** Refill the person queue from the access core's pending face deployments; how many were queued. */
  async pull(t: PushTerminal): Promise<number> {
    const entries = await this.#calls.pendingFaces(t.deviceKey, FACE_BATCH);
    if (entries.length === 0) return 0;
    const held = new Set(
      await this.#calls.heldPersons(
        t.deviceKey,
        entries.filter((e) => e.op === 'upsert').map((e) => e.id),
      ),
    );
    let queued = 0;
    for (const e of entries) {
      const built = await personOf(e, this.#settings.tzOffsetMinutes, held.has(e.id));
      if ('problem' in built) {
        this.#log.warn({ dev: t.deviceNo, faceId: e.id, why: built.problem }, 'face not deployable');
        await this.#calls.ackFaces(t.deviceKey, [e.id], false, built.problem);
        continue;
      }
      if (e.op === 'upsert') this.faceUsers.set(e.id, userIdOf(e));
      const payload: PersonPayload = { person: built.person, deploy: { kind: 'face', item: e.id, op: e.op } };
      await this.#calls.enqueue(t.deviceKey, 'person', { ...payload }, { ref: `face:${e.id}` });
      queued++;
    }
    return queued;
  }

  /** The terminal answered a person command. */
  async finished(t: PushTerminal, c: QueuedCommand, state: 'done' | 'failed', message: string): Promise<void> {
    const p = payloadOf(c);
    if (!p) return;
    if (state === 'done') {
      await this.#calls.ackFaces(t.deviceKey, [p.deploy.item], true);
      return;
    }
    const other = c.errorCode === PERSON_INVALID && !p.flipped ? flipped(p.person) : undefined;
    if (other) {
      // Still transferring in the access core: the retry's result acknowledges it.
      this.#log.info(
        { dev: t.deviceNo, faceId: p.deploy.item, operateType: other.operateType },
        'person refused as add/update: retried as the other',
      );
      await this.#calls.enqueue(t.deviceKey, 'person', { ...p, person: other, flipped: true }, { ref: `face:${p.deploy.item}` });
      return;
    }
    await this.#calls.ackFaces(
      t.deviceKey,
      [p.deploy.item],
      false,
      message || `terminal answered ${c.errorCode ?? ''} ${PUSH_CODE_TEXT[c.errorCode ?? ''] ?? ''}`.trim(),
    );
  }

  /** Person commands that ended without any answer: a timeout for the access core. */
  async ended(t: PushTerminal, commands: QueuedCommand[]): Promise<void> {
    const failures = commands
      .map(payloadOf)
      .filter((p): p is PersonPayload => p !== undefined)
      .map((p) => ({
        id: p.deploy.item,
        status: timeoutStatus(p.deploy.op),
        message: `terminal ${t.deviceNo} took the person command but sent no result`,
      }));
    if (failures.length === 0) return;
    this.#log.warn({ dev: t.deviceNo, faces: failures.length }, 'person commands without result: reported as timeouts');
    await this.#calls.failFaces(t.deviceKey, failures);
  }

  /**
   * The terminal went silent: its person commands are dropped and the access core holds the
   * faces as `deviceOffline` (no attempt used); they are taken again when it polls.
   */
  async offline(t: PushTerminal): Promise<void> {
    const cancelled = await this.#calls.cancelService(t.deviceKey, 'person');
    const moved = await this.#calls.deviceOffline(t.deviceKey);
    this.#log.info({ dev: t.deviceNo, cancelled: cancelled.length, moved: moved.moved }, 'terminal offline: face deployments wait for it');
  }
}
