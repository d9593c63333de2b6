// Area pages backed by optional services: access control.
import { t } from './i18n.js';
import { alarmKindText, passKindText, passResultLine } from './plain.js';
import { h, api, note, table, errorText, fmtTime, download } from './core.js';

export async function accessPage(el) {
  let s;
  try {
    s = await api('GET', '/access/summary');
  } catch (err) {
    if (err.code === 'EDGE_ERR_CONSOLE_SERVICE_MISSING')
      return void el.replaceChildren(note('info', t('err.EDGE_ERR_CONSOLE_SERVICE_MISSING'), ` (${t('access.title')})`));
    throw err;
  }
  const c = s.counts;
  const found = h('div#person-result');
  const detail = h('div#person-detail');
  const query = h('input#person-q', { placeholder: t('access.find'), type: 'search' });
  const recBox = h('div#records');
  const devices = (await api('GET', '/devices').catch(() => [])).map((d) => ({ key: `${d.productKey}/${d.deviceName}`, alias: d.alias }));
  const aliasOf = new Map(devices.map((d) => [d.key, d.alias]));
  const deviceLabel = (key) => (aliasOf.get(key) ? `${aliasOf.get(key)} (${key})` : key);
  const filt = {
    device: h('input#rec-device', { placeholder: t('access.deviceFilter'), list: 'rec-devices' }),
    person: h('input#rec-person', { placeholder: t('access.person') }),
    from: h('input#rec-from', { type: 'datetime-local' }),
    to: h('input#rec-to', { type: 'datetime-local' }),
  };
  const deviceChoices = h(
    'datalist#rec-devices',
    devices.flatMap((d) => [h('option', { value: d.key }, d.alias ?? ''), ...(d.alias ? [h('option', { value: d.alias })] : [])]),
  );
  function recordFilter(limit) {
    const p = new URLSearchParams({ limit: String(limit) });
    if (filt.device.value.trim()) p.set('device', filt.device.value.trim());
    if (filt.person.value.trim()) p.set('personId', filt.person.value.trim());
    if (filt.from.value) p.set('from', String(new Date(filt.from.value).getTime()));
    if (filt.to.value) p.set('to', String(new Date(filt.to.value).getTime()));
    return p;
  }
  async function records() {
    const rows = await api('GET', `/access/records?${recordFilter(50)}`);
    recBox.replaceChildren(
      h(
        'div.scroll',
        table(
          [t('common.time'), t('access.device'), t('access.person'), t('access.method'), t('access.result'), t('access.photo')],
          rows.map((r) =>
            h(
              'tr',
              h('td', fmtTime(r.time)),
              h('td', deviceLabel(r.device)),
              h('td', r.personName ? `${r.personName} (${r.personId})` : (r.personId ?? '')),
              h('td', r.method ? passKindText(r.method) : ''),
              h('td', r.result === 'pass' ? t('pass.code.0') : passResultLine(r.result)),
              h(
                'td',
                r.photoUrl
                  ? h('img.thumb', { src: `/api/access/records/${encodeURIComponent(String(r.id))}/photo`, alt: '', loading: 'lazy' })
                  : '',
              ),
            ),
          ),
          { id: 'records-table' },
        ),
      ),
    );
  }
  async function exportRecords() {
    download(await (await api('GET', `/access/records.csv?${recordFilter(10000)}`, undefined, { raw: true })).blob(), 'pass-records.csv');
  }
  const counts = (cr) =>
    Object.entries(cr)
      .map(([k, n]) => `${t(`access.kind.${k}`)} ${n}`)
      .join(' · ');
  async function showPerson(id) {
    try {
      const p = await api('GET', `/access/persons/${encodeURIComponent(id)}`);
      detail.replaceChildren(
        h(
          'div.card.person',
          h('h3', `${p.name} (${p.identityId})`),
          h('p', counts(p.credentials) || t('access.noCredentials')),
          p.cards.length
            ? table(
                [t('access.cardKind'), t('access.card'), t('access.device')],
                p.cards.map((k) =>
                  h('tr', h('td', t(`access.kind.${k.kind}`)), h('td.mono', k.masked), h('td', k.devices.map(deviceLabel).join(', '))),
                ),
                { id: 'person-cards' },
              )
            : null,
          h(
            'div.faces#person-faces',
            p.faces.map((f) =>
              f.thumbUrl
                ? h('img.face', { src: f.thumbUrl, alt: `${p.name} ${f.faceId}`, title: `${f.groupId}/${f.faceId}` })
                : h('span.badge.pending', `${f.faceId}: ${f.state}`),
            ),
          ),
        ),
      );
    } catch (err) {
      detail.replaceChildren(note('error', err.status === 404 ? t('access.notFound') : errorText(err)));
    }
  }
  async function findPersons() {
    found.replaceChildren();
    detail.replaceChildren();
    const text = query.value.trim();
    if (!text) return;
    try {
      const r = await api('GET', `/access/persons?${new URLSearchParams({ q: text, limit: '50' })}`);
      if (!r.persons.length) return void found.append(note('info', t('access.notFound')));
      found.append(
        h('p.muted', t('access.matches', { n: r.total })),
        h(
          'div.scroll',
          table(
            [t('access.name'), t('access.identityId'), t('access.credentials')],
            r.persons.map((p) =>
              h(
                'tr.clickable',
                { onclick: () => showPerson(p.identityId), tabindex: '0', onkeydown: (e) => e.key === 'Enter' && showPerson(p.identityId) },
                h('td', p.name),
                h('td.mono', p.identityId),
                h('td', counts(p.credentials)),
              ),
            ),
            { id: 'persons-table' },
          ),
        ),
      );
    } catch (err) {
      found.append(note('error', errorText(err)));
    }
  }
  query.addEventListener('keydown', (e) => e.key === 'Enter' && findPersons());
  el.replaceChildren(
    h(
      'div.grid',
      ...[
        ['persons', c.persons],
        ['faces', c.faces],
        ['cards', c.cards],
        ['qr', c.qrCodes],
      ].map(([k, n]) => h('section.card.stat', h('h2', t(`access.${k}`)), h('p.big', String(n)))),
    ),
    h(
      'section.card',
      h('h2', t('access.find')),
      h('div.filters', query, h('button#person-find', { onclick: findPersons }, t('common.search'))),
      found,
      detail,
    ),
    h(
      'section.card',
      h('h2', t('access.sync')),
      table(
        [t('access.device'), t('drivers.state'), t('access.pending'), t('dash.lastError'), t('common.time'), ''],
        s.sync.map((d) =>
          h(
            'tr',
            h('td', deviceLabel(d.device)),
            h('td', h(`span.badge.${d.state}`, d.state)),
            h('td.num', String(d.pending)),
            h('td.msg', d.lastError ?? ''),
            h('td', fmtTime(d.lastSyncAt)),
            h(
              'td',
              h(
                'button.small',
                {
                  onclick: async (e) => {
                    const button = e.target;
                    const msg = button.nextElementSibling;
                    button.disabled = true;
                    try {
                      const r = await api('POST', `/access/sync/${encodeURIComponent(d.device)}/retry`, {});
                      msg.replaceChildren(note('ok', r.queued ? t('access.retried', { n: r.queued }) : t('access.nothingToRetry')));
                    } catch (err) {
                      msg.replaceChildren(note('error', errorText(err)));
                    } finally {
                      button.disabled = false;
                    }
                  },
                },
                t('access.retry'),
              ),
              h('span.retry-msg', { 'aria-live': 'polite' }),
            ),
          ),
        ),
        { id: 'sync-table' },
      ),
    ),
    h(
      'section.card',
      h('h2', t('access.records')),
      h(
        'div.filters',
        filt.device,
        filt.person,
        filt.from,
        filt.to,
        deviceChoices,
        h('button#rec-search', { onclick: () => records() }, t('common.filter')),
        h('button#rec-export', { onclick: exportRecords }, t('access.export')),
      ),
      recBox,
    ),
    h(
      'section.card',
      h('h2', t('access.alarms')),
      s.alarms.length
        ? table(
            [t('common.time'), t('access.device'), t('common.action'), ''],
            s.alarms.map((a) =>
              h('tr', h('td', fmtTime(a.time)), h('td', a.device), h('td', alarmKindText(a.type)), h('td', passResultLine(a.message))),
            ),
          )
        : h('p.muted', t('dash.noAlarms')),
    ),
  );
  await records();
}
