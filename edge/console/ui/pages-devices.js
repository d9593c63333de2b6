// Devices: list with search and status filter; one device with live values, property writes and service calls.
import { t } from './i18n.js';
import { h, api, note, table, errorText, fmtTime, fill, confirmAction } from './core.js';
import { answerText, valueText, needsConfirm, plainReason } from './plain.js';
import { subscribe } from './live.js';
import { eventRow } from './pages-history.js';

const badge = (s) => h(`span.badge.${s}`, t(`status.${s}`));

export async function devicesPage(el, _args, onLeave) {
  const params = new URLSearchParams(sessionStorage.getItem('pe.devq') ?? '');
  const q = h('input#device-search', { type: 'search', placeholder: t('devices.search'), value: params.get('q') ?? '' });
  const status = h(
    'select#device-status',
    ['', 'online', 'offline', 'notActivated', 'disabled'].map((s) => h('option', { value: s }, s ? t(`status.${s}`) : t('devices.all'))),
  );
  status.value = params.get('status') ?? '';
  const body = h('div');
  async function load() {
    const p = new URLSearchParams();
    if (q.value.trim()) p.set('q', q.value.trim());
    if (status.value) p.set('status', status.value);
    sessionStorage.setItem('pe.devq', p.toString());
    const list = await api('GET', `/devices?${p}`);
    body.replaceChildren(
      list.length === 0
        ? note('info', t('devices.none'))
        : table(
            [t('devices.name'), t('devices.alias'), t('devices.product'), t('devices.driver'), t('devices.status'), t('devices.lastSeen')],
            list.map((d) =>
              h(
                'tr',
                { 'data-device': `${d.productKey}/${d.deviceName}` },
                h('td', h('a', { href: `#/device/${encodeURIComponent(d.productKey)}/${encodeURIComponent(d.deviceName)}` }, d.deviceName)),
                h('td', d.alias ?? ''),
                h('td', d.productKey),
                h('td', d.driver),
                h('td.st', badge(d.status)),
                h('td', fmtTime(d.lastSeen)),
              ),
            ),
            { id: 'devices-table' },
          ),
    );
  }
  q.addEventListener('input', () => load().catch(() => {}));
  status.addEventListener('change', () => load().catch(() => {}));
  el.replaceChildren(h('section.card', h('h2', t('nav.devices')), h('div.filters', q, status), body));
  await load();
  subscribe(
    undefined,
    {
      status: (s) => {
        const cell = el.querySelector(`tr[data-device="${CSS.escape(`${s.productKey}/${s.deviceName}`)}"] td.st`);
        if (cell) cell.replaceChildren(badge(s.status));
      },
    },
    onLeave,
  );
}

/** An input for one TSL data type; returns [element, read()] where read gives the typed value. */
function inputFor(id, dataType, current) {
  const type = dataType.type;
  if (type === 'bool' || type === 'enum') {
    const sel = h(
      'select',
      { id },
      Object.entries(dataType.specs).map(([k, label]) => h('option', { value: k }, `${k} · ${label}`)),
    );
    if (current !== undefined) sel.value = String(current);
    return [sel, () => Number(sel.value)];
  }
  if (type === 'int' || type === 'float' || type === 'double') {
    const inp = h('input', {
      id,
      type: 'number',
      step: dataType.specs.step ?? 'any',
      min: dataType.specs.min,
      max: dataType.specs.max,
      value: current ?? '',
    });
    // An empty field is no value (Number('') is 0): a setter refuses it, a service leaves the argument out.
    return [inp, () => (inp.value.trim() === '' ? undefined : Number(inp.value))];
  }
  if (type === 'text' || type === 'date') {
    const inp = h('input', { id, value: current ?? '' });
    return [inp, () => inp.value];
  }
  const inp = h('textarea', { id, rows: 2 });
  inp.value = current === undefined ? '' : JSON.stringify(current);
  return [inp, () => JSON.parse(inp.value || 'null')];
}

export async function devicePage(el, [pk, dn], onLeave) {
  const d = await api('GET', `/devices/${encodeURIComponent(pk)}/${encodeURIComponent(dn)}`);
  const key = `${pk}/${dn}`;
  const statusCell = h('span#device-status', badge(d.status));
  const lastSeen = h('span#device-lastseen', fmtTime(d.lastSeen));
  const valueCells = new Map();
  const propRows = d.model.properties.map((p) => {
    const v = d.values[p.identifier];
    const cell = h('td.value', { 'data-prop': p.identifier }, v ? valueText(p.dataType, v.value) : '—');
    const time = h('td', v ? fmtTime(v.time) : '—');
    valueCells.set(p.identifier, [cell, time, p.dataType]);
    let setter = null;
    if (p.accessMode === 'rw') {
      const [input, read] = inputFor(`set-${p.identifier}`, p.dataType, v?.value);
      const out = h('span.reply');
      setter = h(
        'span.setter',
        input,
        h(
          'button.small',
          {
            'data-set': p.identifier,
            onclick: async () => {
              out.replaceChildren();
              const value = read();
              if (value === undefined) return void out.append(h('span.err', t('device.valueRequired')));
              try {
                const r = await api('POST', `/devices/${encodeURIComponent(pk)}/${encodeURIComponent(dn)}/properties`, {
                  params: { [p.identifier]: value },
                });
                out.append(h(`span.${r.code === 200 ? 'ok' : 'err'}`, answerText(r)));
              } catch (err) {
                out.append(h('span.err', errorText(err)));
              }
            },
          },
          t('device.set'),
        ),
        out,
      );
    }
    const unit = p.dataType.specs?.unit ? ` ${p.dataType.specs.unit}` : '';
    const numeric = ['int', 'float', 'double', 'bool', 'enum'].includes(p.dataType.type);
    const trend = numeric
      ? h(
          'a.trend',
          {
            id: `trend-${p.identifier}`,
            href: `#/trend/${encodeURIComponent(pk)}/${encodeURIComponent(dn)}/${encodeURIComponent(p.identifier)}`,
          },
          t('history.trend'),
        )
      : null;
    return h(
      'tr',
      h('td', h('strong', p.name), h('br'), h('code', p.identifier)),
      cell,
      h('td.muted', unit),
      time,
      h('td', setter),
      h('td', trend),
    );
  });
  const services = d.model.services
    .filter((s) => s.identifier !== 'set' && s.identifier !== 'get')
    .map((s) => {
      const inputs = s.inputData.map((a) => [a, ...inputFor(`svc-${s.identifier}-${a.identifier}`, a.dataType, undefined)]);
      const out = h('pre.reply', { id: `reply-${s.identifier}` });
      return h(
        'div.service',
        { 'data-service': s.identifier },
        h('h3', `${s.name} `, h('code', s.identifier)),
        inputs.map(([a, input]) => h('label', `${a.name} (${a.identifier})`, input)),
        h(
          'button',
          {
            id: `invoke-${s.identifier}`,
            onclick: async () => {
              if (needsConfirm(s) && !(await confirmAction(t('confirm.service', { name: s.name || s.identifier }), t('confirm.go'))))
                return;
              out.textContent = '…';
              try {
                const args = Object.fromEntries(inputs.map(([a, , read]) => [a.identifier, read()]));
                const r = await api(
                  'POST',
                  `/devices/${encodeURIComponent(pk)}/${encodeURIComponent(dn)}/services/${encodeURIComponent(s.identifier)}`,
                  { params: args },
                );
                fill(out, answerText(r), outputLines(s, r.data));
                out.className = `reply ${r.code === 200 ? 'ok' : 'err'}`;
              } catch (err) {
                out.textContent = errorText(err);
                out.className = 'reply err';
              }
            },
          },
          t('device.invoke'),
        ),
        out,
      );
    });
  // Kept on the box (edge/history): the list survives a reload; live events are added on top.
  const events = h('tbody#device-events');
  const past = await api('GET', `/history/events?device=${encodeURIComponent(key)}&limit=50`).catch(() => ({ events: [] }));
  events.append(...past.events.map((e) => eventRow(e, false, d.model)));
  fill(
    el,
    h('p', h('a', { href: '#/devices' }, `← ${t('device.back')}`)),
    h(
      'section.card',
      h('h2', `${d.alias ? `${d.alias} · ` : ''}${dn}`),
      h(
        'dl',
        h('dt', t('devices.product')),
        h('dd', pk),
        h('dt', t('devices.driver')),
        h('dd', d.driver),
        h('dt', t('devices.status')),
        h('dd', statusCell, d.statusReason ? ` (${plainReason(d.statusReason)})` : ''),
        h('dt', t('devices.lastSeen')),
        h('dd', lastSeen),
      ),
    ),
    h(
      'section.card',
      h('h2', t('device.properties')),
      table(['', t('device.value'), '', t('device.time'), '', ''], propRows, { id: 'props-table' }),
    ),
    services.length ? h('section.card', h('h2', t('device.services')), services) : null,
    h(
      'section.card',
      h('h2', t('device.events')),
      h(
        'div.scroll',
        h(
          'table.events',
          h(
            'thead',
            h(
              'tr',
              [t('common.time'), t('history.name'), ''].map((x) => h('th', x)),
            ),
          ),
          events,
        ),
      ),
    ),
    h('details.card', h('summary', t('device.model')), h('pre.model', JSON.stringify(d.model, null, 2))),
  );
  subscribe(
    key,
    {
      properties: (m) => {
        for (const [k, tv] of Object.entries(m.params)) {
          const cells = valueCells.get(k);
          if (!cells) continue;
          cells[0].textContent = valueText(cells[2], tv.value);
          cells[1].textContent = fmtTime(tv.time);
          cells[0].classList.remove('flash');
          void cells[0].offsetWidth;
          cells[0].classList.add('flash');
        }
        lastSeen.textContent = fmtTime(Date.now());
      },
      status: (s) => statusCell.replaceChildren(badge(s.status)),
      event: (e) => {
        events.prepend(eventRow({ t: e.time, kind: 'event', name: e.eventId, data: e.params }, false, d.model));
        while (events.children.length > 50) events.lastChild.remove();
      },
    },
    onLeave,
  );
}

/** A service's returned data, one line per output parameter named by the thing model (labels for enums and bools). */
function outputLines(service, data) {
  if (data === undefined || data === null) return null;
  if (typeof data !== 'object') return `\n${t('answer.output')}: ${String(data)}`;
  const params = new Map(service.outputData.map((o) => [o.identifier, o]));
  return Object.entries(data).map(([k, v]) => {
    const o = params.get(k);
    return `\n${o ? `${o.name} (${k})` : k}: ${valueText(o?.dataType, v)}`;
  });
}
