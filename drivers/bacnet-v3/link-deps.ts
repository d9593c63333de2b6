/** What a channel's link (link.ts) is given: options, the session, where values and faults go, the counters. */
import type { Logger } from 'pino';
import type { PointDef } from '../../protocols/bacnet/point.js';
import type { BacnetSession } from '../../protocols/bacnet/session.js';
import type { PointValue } from '../../protocols/bacnet/values.js';
import type { DriverOptions } from './config.js';

export interface LinkSink {
  block(points: readonly PointDef[], changed: [PointDef, PointValue][], time: number): void;
  fault(key: string, points: readonly PointDef[], reason: string | undefined): void;
}

export interface LinkStats {
  values: number;
  rpm: number;
  rp: number;
  covNotifications: number;
  timeouts: number;
}

export interface LinkDeps {
  opts: DriverOptions;
  session: BacnetSession;
  log: Logger;
  sink: LinkSink;
  stats: LinkStats;
  /** Where Who-Is goes for a 非定向 channel. */
  broadcast: string;
}
