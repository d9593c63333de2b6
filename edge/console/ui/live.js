// One live connection for the whole app (server-sent events) and the one indicator of its state:
// live · reconnecting (with backoff) · box restarted → reload · session ended → log in again.
// Pages subscribe while shown; nothing else opens a stream, so no page can claim "live" on its own.
import { t } from './i18n.js';
import { h } from './core.js';

const EVENTS = ['properties', 'status', 'event', 'driver'];
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];

const subscribers = new Set();
let es = null;
let openFilter;
let state = 'off';
let bootId = null;
let attempt = 0;
let retryTimer = null;
let onExpired = () => {};

/** The header's indicator: one element, moved into each freshly drawn header. */
export const indicator = h('span.conn#conn', { role: 'status', 'aria-live': 'polite' });

function setState(next) {
  state = next;
  document.body.classList.toggle('stale', next !== 'live' && next !== 'off');
  renderIndicator();
}

export function renderIndicator() {
  indicator.className = `conn ${state}`;
  indicator.dataset.state = state;
  const action =
    state === 'restarted'
      ? h('button.small#conn-reload', { onclick: () => location.reload() }, t('conn.reload'))
      : state === 'expired'
        ? h('button.small#conn-login', { onclick: () => onExpired() }, t('conn.login'))
        : null;
  indicator.replaceChildren(h('span.dot'), state === 'off' ? '' : t(`conn.${state}`), action ? ' ' : '', action ?? '');
}

/** Start for a logged-in session; `boot` is the box's boot id from /api/session. */
export function startLive(boot, expired) {
  onExpired = expired;
  if (bootId === null) bootId = boot;
  if (state === 'off') open();
}

/** Logged out: no stream, no indicator. */
export function stopLive() {
  close();
  clearTimeout(retryTimer);
  bootId = null;
  attempt = 0;
  setState('off');
}

/**
 * Receive live events while a page is shown: `handlers` maps event names to callbacks;
 * `device` ('pk/dn') limits the stream to one device. Ends when the page is left.
 */
export function subscribe(device, handlers, onLeave) {
  const sub = { device, handlers };
  subscribers.add(sub);
  reopenIfFilterChanged();
  onLeave(() => {
    subscribers.delete(sub);
    reopenIfFilterChanged();
  });
}

// One device asked by every subscriber: the box sends only that device's events.
function filter() {
  const devices = new Set([...subscribers].map((s) => s.device));
  return devices.size === 1 ? [...devices][0] : undefined;
}

function reopenIfFilterChanged() {
  if (es && filter() !== openFilter) {
    close();
    open();
  }
}

function close() {
  if (es) es.close();
  es = null;
}

function open() {
  openFilter = filter();
  const source = new EventSource(`/api/stream${openFilter ? `?device=${encodeURIComponent(openFilter)}` : ''}`);
  es = source;
  if (state !== 'live') setState(attempt === 0 ? 'connecting' : 'reconnecting');
  source.addEventListener('hello', (e) => {
    const hello = JSON.parse(e.data);
    if (bootId !== null && hello.bootId !== bootId) return restarted();
    attempt = 0;
    setState('live');
  });
  source.addEventListener('session', () => {
    close();
    setState('expired');
  });
  for (const name of EVENTS) {
    source.addEventListener(name, (e) => {
      const data = JSON.parse(e.data);
      for (const s of subscribers) s.handlers[name]?.(data);
    });
  }
  // The browser's own retry cannot tell a restarted box or an ended session from a network
  // blip, so the stream is closed and the box asked which it was.
  source.onerror = () => {
    if (source !== es) return;
    close();
    setState('reconnecting');
    scheduleProbe();
  };
}

function restarted() {
  close();
  setState('restarted');
}

function scheduleProbe() {
  clearTimeout(retryTimer);
  const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
  attempt++;
  retryTimer = setTimeout(probe, delay);
}

async function probe() {
  let s;
  try {
    const res = await fetch('/api/session', { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    s = await res.json();
  } catch {
    return scheduleProbe(); // the box is still away
  }
  if (state === 'off') return;
  if (s.bootId !== bootId) return restarted();
  if (!s.user) return setState('expired');
  open();
}
