/**
 * Playback inputs of the cloud camera API (digest 001d §3.D, R33) turned into what GB28181 sends:
 * a recording by time range (`getbytime`: beginTime/endTime, epoch s) or by file name
 * (`getbyname`: `fileName`, the `name` or `filePath` of an item the last `queryRecordings` of the
 * channel listed; the INVITE then asks for that recording's time range, the only way GB/T
 * 28181-2016 §9.8 names history), both from `seekTime` s on. `playbackControl` drives the running
 * playback with SIP INFO and MANSRTSP (§9.8, Annex B): play/resume, pause, seek, speed.
 */
import { DRIVER_ERRORS, fail, ok, type Answer } from '../../edge/host/sdk/driver.js';
import { SCALES, type PlaybackControl } from '../../protocols/gb28181/mansrtsp.js';
import type { GbDevice } from './devices.js';
import type { MediaSessions } from './media-sessions.js';

export type RecordingLookup = (dev: GbDevice, fileName: string) => { start: number; end: number } | undefined;

const invalid = (why: string) => fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, why);
const whole = (v: unknown): number | undefined => (Number.isInteger(Number(v)) && v !== '' && v !== null ? Number(v) : undefined);

/** The range to INVITE for `startPlayback`, or the refusal. */
export function playbackRange(
  lookup: RecordingLookup,
  dev: GbDevice,
  args: Record<string, unknown>,
): { start: number; end: number } | Answer {
  let range: { start: number; end: number } | undefined;
  if (typeof args.fileName === 'string' && args.fileName !== '') {
    range = lookup(dev, args.fileName);
    if (!range) return invalid(`no recording ${args.fileName} in the last queryRecordings of this channel; list them first`);
  } else {
    const start = whole(args.beginTime);
    const end = whole(args.endTime);
    if (start === undefined || end === undefined || start <= 0 || end <= start)
      return invalid('give fileName, or beginTime < endTime (epoch seconds)');
    range = { start, end };
  }
  if (args.seekTime !== undefined) {
    const seek = whole(args.seekTime);
    if (seek === undefined || seek < 0 || range.start + seek >= range.end) return invalid('seekTime is whole seconds inside the recording');
    range = { start: range.start + seek, end: range.end };
  }
  return range;
}

/** `playbackControl` {action: play|pause|seek|speed, seekTime, scale} on the channel's playback session. */
export async function playbackControl(sessions: MediaSessions, id: string, args: Record<string, unknown>): Promise<Answer> {
  let c: PlaybackControl;
  const scale = args.scale === undefined ? undefined : Number(args.scale);
  if (scale !== undefined && !SCALES.includes(scale)) return invalid(`scale is one of ${SCALES.join(', ')}`);
  switch (args.action) {
    case 'pause':
      c = { kind: 'pause' };
      break;
    case 'play':
      c = { kind: 'play', scale };
      break;
    case 'speed':
      if (scale === undefined) return invalid('speed needs scale');
      c = { kind: 'play', scale };
      break;
    case 'seek': {
      const at = whole(args.seekTime);
      if (at === undefined || at < 0) return invalid('seek needs seekTime, whole seconds from the start of the playback');
      c = { kind: 'play', fromS: at, scale };
      break;
    }
    default:
      return invalid('action is one of play, pause, seek, speed');
  }
  if (!sessions.get(id)) return invalid('no playback is running on this channel; startPlayback first');
  const status = await sessions.control(id, c);
  if (status === undefined) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, 'the device did not answer the INFO');
  if (status !== 200) return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, `the device answered the INFO with ${status}`);
  return ok({ result: 'OK' });
}
