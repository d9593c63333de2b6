/** The cloud link's figures on the box's Prometheus registry (`/metrics`), read when scraped. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Outbox } from './outbox/outbox.js';

export interface CloudFigures {
  outbox: Outbox;
  linkUp(): boolean;
  inflight(): number;
  loggedIn(): number;
  published(): number;
  acked(): number;
  reconnects(): number;
  replyTimeouts(): number;
  rejected(): number;
  downErrors(): number;
}

export function registerCloudMetrics(registry: Registry, f: CloudFigures): void {
  const registers = [registry];
  const { outbox } = f;
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge('edge_cloud_link_up', '1 when the cloud link is connected', () => (f.linkUp() ? 1 : 0));
  gauge('edge_cloud_outbox_depth', 'messages queued for the cloud', () => outbox.depth);
  gauge('edge_cloud_outbox_held', 'messages held in memory because the disk refused their write', () => outbox.held);
  gauge('edge_cloud_outbox_bytes', 'payload bytes queued for the cloud', () => outbox.bytes);
  gauge('edge_cloud_outbox_quota_bytes', 'outbox quota', () => outbox.quotaBytes);
  gauge('edge_cloud_inflight', 'messages published, PUBACK pending', f.inflight);
  gauge('edge_cloud_subdevices_logged_in', 'sub-devices with a session', f.loggedIn);
  new Gauge({
    name: 'edge_cloud_outbox_dropped',
    help: 'messages dropped by the quota policy and not yet reported to the cloud',
    labelNames: ['class'],
    registers,
    collect() {
      const d = outbox.dropped();
      for (const c of ['property', 'event', 'record'] as const) this.set({ class: c }, d[c]);
    },
  });
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter('edge_cloud_published_total', 'messages published from the outbox', f.published);
  counter('edge_cloud_acked_total', 'messages acknowledged (PUBACK) and deleted', f.acked);
  counter('edge_cloud_reconnects_total', 'reconnect attempts', f.reconnects);
  counter('edge_cloud_reply_timeouts_total', 'Alink replies not received in time', f.replyTimeouts);
  counter('edge_cloud_rejected_total', 'messages the cloud answered with an error code', f.rejected);
  counter('edge_cloud_down_errors_total', 'downlink messages refused or failed', f.downErrors);
}
