// Area pages backed by optional services: access control.
import { t } from './i18n.js';
import { h, api, note, table, errorText, fmtTime } from './core.js';

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
  const idInput = h('input#person-id', { placeholder: t('access.find') });
  const recBox = h('div#records');
  const filt = {
    device: h('input#rec-device', { placeholder: t('access.device') }),
    person: h('input#rec-person', { placeholder: t('access.person') }),
    from: h('input#rec-from', { type: 'datetime-local' }),
    to: h('input#rec-to', { type: 'datetime-local' }),
  };
  async function records() {
    const p = new URLSearchParams({ limit: '50' });
    if (filt.device.value) p.set('device', filt.device.value);
    if (filt.person.value) p.set('personId', filt.person.value);
    if (filt.from.value) p.set('from', String(new Date(filt.from.value).getTime()));
    if (filt.to.value) p.set('to', String(new Date(filt.to.value).getTime()));
    const rows = await api('GET', `/access/records?${p}`);
    recBox.replaceChildren(
      table(
        [t('common.time'), t('access.device'), t('access.person'), t('access.method'), t('access.result'), t('access.photo')],
        rows.map((r) =>
          h(
            'tr',
            h('td', fmtTime(r.time)),
            h('td', r.device),
            h('td', r.personId ?? ''),
            h('td', r.method ?? ''),
            h('td', r.result),
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
    );
  }
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
      h(
        'div.filters',
        idInput,
        h(
          'button#person-find',
          {
            onclick: async () => {
              found.replaceChildren();
              try {
                found.append(
                  h('pre', JSON.stringify(await api('GET', `/access/persons/${encodeURIComponent(idInput.value.trim())}`), null, 2)),
                );
              } catch (err) {
                found.append(note('error', err.status === 404 ? t('access.notFound') : errorText(err)));
              }
            },
          },
          t('common.search'),
        ),
      ),
      found,
    ),
    h(
      'section.card',
      h('h2', t('access.sync')),
      table(
        [t('access.device'), t('drivers.state'), t('access.pending'), t('dash.lastError'), t('common.time'), ''],
        s.sync.map((d) =>
          h(
            'tr',
            h('td', d.device),
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
                    e.target.disabled = true;
                    await api('POST', `/access/sync/${encodeURIComponent(d.device)}/retry`, {}).catch(() => {});
                    e.target.disabled = false;
                  },
                },
                t('access.retry'),
              ),
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
        h('button#rec-search', { onclick: () => records() }, t('common.filter')),
      ),
      recBox,
    ),
    h(
      'section.card',
      h('h2', t('access.alarms')),
      s.alarms.length
        ? table(
            [t('common.time'), t('access.device'), t('common.action'), ''],
            s.alarms.map((a) => h('tr', h('td', fmtTime(a.time)), h('td', a.device), h('td', a.type), h('td', a.message))),
          )
        : h('p.muted', t('dash.noAlarms')),
    ),
  );
  await records();
}
