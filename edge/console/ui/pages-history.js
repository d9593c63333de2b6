// History: a point's trend (uPlot, loaded only here) with ranges and CSV; device events box-wide with filters and paging.
import { t } from './i18n.js';
import { h, api, note, fmtTime, fmtValue } from './core.js';
import { plainReason, valueText } from './plain.js';

const RANGES = ['1h', '24h', '7d', '30d'];

let uplot = null;
/** The chart library and its stylesheet, fetched the first time a trend is shown. */
async function loadUplot() {
  if (!uplot) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/ui/vendor/uplot.css' }));
    uplot = (await import('/ui/vendor/uplot.js')).default;
  }
  return uplot;
}

export async function trendPage(el, [pk, dn, prop], onLeave) {
  const device = `${pk}/${dn}`;
  const d = await api('GET', `/devices/${encodeURIComponent(pk)}/${encodeURIComponent(dn)}`);
  const p = d.model.properties.find((x) => x.identifier === prop);
  const unit = p?.dataType?.specs?.unit ?? '';
  const chartBox = h('div.chart#trend-chart');
  const info = h('p.muted#trend-count');
  const csv = h('a.button#trend-csv', { download: '' }, t('history.csv'));
  const buttons = RANGES.map((r) => h('button.small', { id: `trend-range-${r}`, onclick: () => show(r) }, t(`history.range.${r}`)));
  let chart = null;
  onLeave(() => chart?.destroy());
  const resize = () => chart?.setSize({ width: chartBox.clientWidth, height: 320 });
  window.addEventListener('resize', resize);
  onLeave(() => window.removeEventListener('resize', resize));

  async function show(range) {
    for (const b of buttons) b.classList.toggle('active', b.id === `trend-range-${range}`);
    const q = `device=${encodeURIComponent(device)}&prop=${encodeURIComponent(prop)}&range=${range}`;
    csv.href = `/api/history/series.csv?${q}`;
    const [s, UPlot] = await Promise.all([api('GET', `/history/series?${q}`), loadUplot()]);
    chart?.destroy();
    chart = null;
    chartBox.replaceChildren();
    info.textContent = t('history.points', { n: s.points.length, res: t(`history.res.${s.resolution}`) });
    if (s.points.length === 0) return void chartBox.append(note('info', t('history.empty')));
    if (s.points.some((x) => typeof x[1] !== 'number')) return void chartBox.append(note('info', t('history.notNumeric')));
    const xs = s.points.map((x) => x[0] / 1000);
    let data;
    let series;
    if (s.resolution === 'raw') {
      // Only changes are kept: the last value holds until now.
      xs.push(s.to / 1000);
      data = [xs, [...s.points.map((x) => x[1]), s.points.at(-1)[1]]];
      series = [{}, { label: p?.name ?? prop, stroke: '#2f6fde', width: 2, paths: UPlot.paths.stepped({ align: 1 }) }];
    } else {
      data = [xs, s.points.map((x) => x[1]), s.points.map((x) => x[2]), s.points.map((x) => x[3])];
      series = [
        {},
        { label: t('history.avg'), stroke: '#2f6fde', width: 2 },
        { label: t('history.min'), stroke: '#9bb7ea', width: 1 },
        { label: t('history.max'), stroke: '#9bb7ea', width: 1 },
      ];
    }
    chart = new UPlot(
      { width: Math.max(280, chartBox.clientWidth), height: 320, series, axes: [{}, { label: unit }], scales: { x: { time: true } } },
      data,
      chartBox,
    );
  }

  el.replaceChildren(
    h('p', h('a', { href: `#/device/${encodeURIComponent(pk)}/${encodeURIComponent(dn)}` }, `← ${d.alias ?? dn}`)),
    h(
      'section.card',
      h('h2', `${p?.name ?? prop} `, h('code', prop), unit ? h('span.muted', ` (${unit})`) : ''),
      h('div.actions', buttons, csv),
      info,
      chartBox,
    ),
  );
  await show('1h');
}

/**
 * One event or status change as a table row; with the device's thing-model events (`model`),
 * an event shows its name and its parameters with their names and value labels.
 */
export function eventRow(e, withDevice, model) {
  const def = e.kind === 'event' ? model?.events?.find((x) => x.identifier === e.name) : undefined;
  const detail =
    e.kind === 'status'
      ? `${t(`status.${e.data?.previous}`)} → ${t(`status.${e.name}`)}${e.data?.reason ? ` (${plainReason(e.data.reason)})` : ''}`
      : def && e.data && typeof e.data === 'object'
        ? Object.entries(e.data)
            .map(([k, v]) => {
              const o = def.outputData.find((x) => x.identifier === k);
              return `${o?.name ?? k}: ${valueText(o?.dataType, v)}`;
            })
            .join(' · ')
        : fmtValue(e.data ?? '');
  return h(
    'tr',
    { 'data-id': e.id },
    h('td', fmtTime(e.t)),
    withDevice ? h('td', h('a', { href: `#/device/${e.device.split('/').map(encodeURIComponent).join('/')}` }, e.device)) : null,
    h('td', e.kind === 'status' ? t('history.kind.status') : (def?.name ?? e.name)),
    h('td.msg', detail),
  );
}

export async function eventsPage(el) {
  const device = h('input#events-device', { type: 'search', placeholder: 'productKey/deviceName' });
  const kind = h(
    'select#events-kind',
    ['', 'event', 'status'].map((k) => h('option', { value: k }, k ? t(`history.kind.${k}`) : t('devices.all'))),
  );
  const body = h('tbody');
  const more = h('button#events-more', { hidden: true }, t('history.older'));
  let next = null;
  // Thing models of the devices whose events are listed, fetched once per device while the page is
  // open: an event then reads as its name and labelled parameters, as on the device page.
  const models = new Map();
  const modelOf = (key) => {
    if (!models.has(key)) {
      const [pk, dn] = key.split('/');
      models.set(
        key,
        api('GET', `/devices/${encodeURIComponent(pk)}/${encodeURIComponent(dn)}`)
          .then((d) => d.model)
          .catch(() => undefined),
      );
    }
    return models.get(key);
  };
  async function load(append) {
    const p = new URLSearchParams({ limit: '50' });
    if (device.value.trim()) p.set('device', device.value.trim());
    if (kind.value) p.set('kind', kind.value);
    if (append && next) p.set('before', String(next));
    const r = await api('GET', `/history/events?${p}`);
    const keys = [...new Set(r.events.filter((e) => e.kind === 'event').map((e) => e.device))];
    const byKey = new Map(await Promise.all(keys.map(async (k) => [k, await modelOf(k)])));
    const rows = r.events.map((e) => eventRow(e, true, byKey.get(e.device)));
    if (append) body.append(...rows);
    else body.replaceChildren(...rows);
    next = r.next;
    more.hidden = next === null;
  }
  device.addEventListener('change', () => load(false));
  kind.addEventListener('change', () => load(false));
  more.addEventListener('click', () => load(true));
  el.replaceChildren(
    h(
      'section.card',
      h('h2', t('nav.events')),
      h('div.filters', device, kind),
      h(
        'div.scroll',
        h(
          'table#events-table',
          h(
            'thead',
            h(
              'tr',
              [t('common.time'), t('access.device'), t('history.name'), ''].map((x) => h('th', x)),
            ),
          ),
          body,
        ),
      ),
      more,
    ),
  );
  await load(false);
}

/** The dashboard's history card: what is kept, for how long, and the space it takes. */
export function historyCard(s) {
  const mb = (b) => (b / 1048576).toFixed(1);
  return h(
    'section.card#dash-history',
    h('h2', t('history.title')),
    h(
      'dl',
      h('dt', t('history.retention')),
      h('dd', t('history.retentionText', { raw: s.rawHours, minute: s.minuteDays, events: s.eventDays })),
      h('dt', t('history.size')),
      h('dd#dash-history-size', t('history.sizeText', { used: mb(s.bytes), max: s.maxMb, db: mb(s.dbBytes) })),
      h('dt', t('history.oldest')),
      h('dd', fmtTime(s.oldest)),
    ),
    h('p', h('a', { href: '#/events' }, t('nav.events'))),
  );
}
