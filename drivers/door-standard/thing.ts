/** Thing-model side helpers: which logical device a message belongs to, and reporting on it. */
import type { Role } from './config.js';
import type { Terminal } from './terminal.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';

/** `productKey/deviceName` of the terminal's logical device for `role` ('' when it has none). */
export function deviceKeyOf(t: Terminal, role: Role): string {
  const d = t.device(role);
  return d ? keyOf(d) : '';
}

export function report(t: Terminal, role: Role, event: string, params: Record<string, unknown>): void {
  const h = t.handles.get(role);
  if (h) h.reportEvent(event, params);
  else t.log.debug({ role, event }, 'event for a logical device not deployed');
}

export function reportProps(t: Terminal, role: Role, values: Record<string, unknown>): void {
  t.handles.get(role)?.reportProperties(values);
}
