/**
 * What a door terminal stores: synced faces (device-side compare), card and BLE whitelists,
 * SIP account, keep-open and temperature settings, elevator rules. Applies sync batches with the
 * seed's semantics (face types 1-4, card add/modify = upsert, rule types 1-4).
 */
import {
  featureMd5,
  userInfoMd5,
  type CardPermission,
  type ElevatorRule,
  type FaceDigest,
  type FaceSyncEntry,
  type FaceUserInfo,
  type QueryFacesReplyData,
  type SipAccount,
  type TempCheckRule,
} from '../../../protocols/door-standard/index.js';

export interface StoredFace {
  faceId: string;
  userInfo: FaceUserInfo;
  userInfoMd5: string;
  feature: number[];
  featureMd5: string;
}

export class DoorState {
  readonly faces = new Map<string, StoredFace>();
  readonly cards = new Map<string, CardPermission>();
  readonly bleCards = new Map<string, CardPermission>();
  readonly rules = new Map<string, ElevatorRule>();
  sip: SipAccount | undefined;
  keepOpen: 0 | 1 = 0;
  tempRule: TempCheckRule = { isCheck: 0 };
  availability: 'enable' | 'disable' = 'enable'; // factory default is enabled (L37690)
  phoneResults: { phoneNumber: string; result: 0 | 1 }[] = [];
  opens = 0;

  /** Apply a syncFaces batch in array order (L35596-35660). */
  applyFaces(entries: FaceSyncEntry[]): void {
    for (const e of entries) {
      if (e.type === 4) this.faces.clear();
      else if (e.type === 2) this.faces.delete(e.faceId!);
      else {
        const old = this.faces.get(e.faceId!);
        const userInfo = e.userInfo ?? old?.userInfo ?? {};
        const feature = e.feature ?? old?.feature ?? [];
        // A device keeps the MD5 the edge sent; it computes one only when none came.
        this.faces.set(e.faceId!, {
          faceId: e.faceId!,
          userInfo,
          feature,
          userInfoMd5: e.userInfo ? (e.userInfoMd5 ?? userInfoMd5(userInfo)) : (old?.userInfoMd5 ?? userInfoMd5(userInfo)),
          featureMd5: e.feature ? (e.featureMd5 ?? featureMd5(feature)) : (old?.featureMd5 ?? featureMd5(feature)),
        });
      }
    }
  }

  /** queryFaces: with no page, the first `pageSize` faces plus paging info (L35683-35690). */
  queryFaces(currentPage: number | undefined, pageSize: number | undefined, maxPerReply: number): QueryFacesReplyData {
    const all = [...this.faces.values()].map((f): FaceDigest => [f.faceId, f.userInfoMd5, f.featureMd5]);
    const size = Math.min(pageSize ?? maxPerReply, maxPerReply);
    const page = currentPage ?? 1;
    const pageCount = Math.max(1, Math.ceil(all.length / size));
    return { currentPage: page, pageCount, pageSize: size, total: all.length, faceInfo: all.slice((page - 1) * size, page * size) };
  }

  /** Card and BLE: add (1) and modify (3) are upserts, delete (2) removes (L35960-35964). */
  applyPermissions(target: Map<string, CardPermission>, entries: CardPermission[]): void {
    for (const p of entries) {
      if (p.type === 2) target.delete(p.cardId);
      else target.set(p.cardId, p);
    }
  }

  /** A card opens the door when it is in the whitelist and now is within its validity. */
  cardValid(target: Map<string, CardPermission>, cardId: string, now = Date.now()): boolean {
    const p = target.get(cardId);
    return p !== undefined && Number(p.effectiveTime) <= now && now <= Number(p.expiryTime);
  }

  applyRules(entries: ElevatorRule[]): void {
    for (const r of entries) {
      if (r.type === 4) this.rules.clear();
      else if (r.type === 2) this.rules.delete(r.ruleId!);
      else this.rules.set(r.ruleId!, r);
    }
  }
}
