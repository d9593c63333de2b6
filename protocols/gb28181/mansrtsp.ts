/**
 * MANSRTSP (GB/T 28181-2016 §9.8 and Annex B): the playback controls the box sends in an
 * in-dialog SIP INFO with `Content-Type: Application/MANSRTSP` — RTSP-like requests without a
 * URI: `PLAY RTSP/1.0` with `Scale:` (speed; 1 normal, 0.5 slow, 2 fast) and `Range: npt=<s>-`
 * (seek, seconds from the start of the played-back range; `now-` resumes where it stopped), and
 * `PAUSE RTSP/1.0` with `PauseTime: now`. Each carries its own CSeq, counted per session.
 */

export type PlaybackControl = { kind: 'play'; scale?: number | undefined; fromS?: number | undefined } | { kind: 'pause' };

export const MANSRTSP_CONTENT_TYPE = 'Application/MANSRTSP';

/** Speeds cameras and NVRs accept (Annex B's examples and the vendors' 1/4 … 4 steps). */
export const SCALES: readonly number[] = [0.25, 0.5, 1, 2, 4];

export function buildMansrtsp(c: PlaybackControl, cseq: number): Buffer {
  const lines =
    c.kind === 'pause'
      ? ['PAUSE RTSP/1.0', `CSeq: ${cseq}`, 'PauseTime: now']
      : [
          'PLAY RTSP/1.0',
          `CSeq: ${cseq}`,
          ...(c.scale !== undefined ? [`Scale: ${c.scale.toFixed(c.scale % 1 === 0 ? 1 : 2)}`] : []),
          `Range: npt=${c.fromS !== undefined ? Math.max(0, Math.floor(c.fromS)) : 'now'}-`,
        ];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** A MANSRTSP body read back (the simulator and tests): method, CSeq and headers. */
export function parseMansrtsp(body: string): { method: string; cseq: number; headers: Record<string, string> } | undefined {
  const [first, ...rest] = body.split(/\r?\n/);
  const m = /^(PLAY|PAUSE|TEARDOWN) RTSP\/1\.0$/.exec(first?.trim() ?? '');
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const l of rest) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const cseq = Number(headers.cseq);
  return Number.isInteger(cseq) ? { method: m[1]!, cseq, headers } : undefined;
}
