/**
 * What the simulated adapter answers on each `/edgeEventAdapter/<name>` endpoint, shaped as the
 * seed's examples (L41729-43877): face library ids, the arming rules and capture tasks it was
 * given (returned by getRule/getTask), one search record, a scene picture, and getStatus from
 * the cameras of its last getConfig (all connected unless `statuses` says otherwise).
 */
import { eseFailure, eseSuccess, isObj, type EseReply, type Obj } from '../../../protocols/edge-security-event/index.js';

export interface AdapterState {
  /** Every request the box made, in order. */
  received: Array<{ name: string; method: string; body: Obj }>;
  rules: Map<string, Obj>;
  tasks: Map<string, Obj>;
  /** The cameras of the last getConfig. */
  config: Obj[];
  /** getStatus's list; undefined: every configured camera connected. */
  statuses: Obj[] | undefined;
  groups: number;
}

const PIC = Buffer.from([0xff, 0xd8, 0xff, 0xd9]).toString('base64');
const ruleKey = (b: Obj): string => `${String(b.ip)}/${String(b.deviceType)}/${String(b.channel ?? 0)}/${String(b.eventType)}`;

function status(s: AdapterState): Obj[] {
  return (
    s.statuses ??
    s.config.map((c) => ({ ip: c.ip, deviceType: c.deviceType, ...(c.deviceType === 3 ? { channel: c.channel } : {}), status: 1 }))
  );
}

export function answerFor(name: string, b: Obj, s: AdapterState): EseReply {
  switch (name) {
    case 'deviceManage/configChange':
      return eseSuccess();
    case 'deviceManage/getStatus':
      return eseSuccess(status(s));
    case 'face/createGroup':
      return eseSuccess({ groupId: String(++s.groups) });
    case 'face/create':
      return eseSuccess({ faceId: '1' });
    case 'face/getGroupDetail':
      return eseSuccess({ groupId: b.groupId, groupName: 'group', groupFaceNum: 0 });
    case 'face/getAllGroups':
      return eseSuccess([]);
    case 'face/search':
      return eseSuccess({ faces: [] });
    case 'face/removeGroup':
    case 'face/modifyGroup':
    case 'face/remove':
    case 'face/modify':
      return eseSuccess();
    case 'alarmDeploy/setRule':
      s.rules.set(ruleKey(b), b);
      return eseSuccess();
    case 'alarmDeploy/getRule':
      return eseSuccess((s.rules.get(ruleKey(b))?.alarmRule as unknown[]) ?? []);
    case 'capture/setTask':
      s.tasks.set(String(b.taskId), b);
      return eseSuccess();
    case 'capture/getTask': {
      const t = s.tasks.get(String(b.taskId));
      if (!t) return eseFailure(804, 'taskId');
      const { token: _t, taskId: _i, ...rest } = t;
      return eseSuccess(rest);
    }
    case 'capture/deleteTask':
      return s.tasks.delete(String(b.taskId)) ? eseSuccess() : eseFailure(804, 'taskId');
    case 'record/get':
    case 'record/getAll': {
      const cam = s.config[0];
      const rec = isObj(cam)
        ? { ip: cam.ip, channel: cam.channel ?? 0, deviceType: cam.deviceType, similarity: 0.6, captureTime: b.startTime }
        : {};
      const withPics = name === 'record/get' ? { smallPicBase64: PIC, smallPicType: 'JPG', scenePicId: 'pic1234' } : {};
      return eseSuccess({ totalSize: 1, recordList: [{ ...rec, ...withPics }] });
    }
    case 'record/scenePicUpload':
      return eseSuccess({ picBase64: PIC, picType: 'JPG' });
    default:
      return eseFailure(808);
  }
}
