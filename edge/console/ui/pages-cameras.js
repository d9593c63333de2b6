// GB28181 cameras (docs/video.md): configured cameras and NVRs with their channels and state, and
// the devices and channels the box heard but does not know — each accepted here in one step (the
// same config edit as `edge cameras accept`, deployed at once).
import { t } from './i18n.js';
import { h, api, note, table, errorText, fmtTime } from './core.js';

const stateBadge = (s) => h(`span.badge.${s === 'online' ? 'online' : s === 'offline' ? 'offline' : 'pending'}`, t(`cameras.state.${s}`));

export async function camerasPage(el) {
  const v = await api('GET', '/cameras');
  const msg = h('div#cameras-msg', { 'aria-live': 'polite' });
  const rows = v.configured.flatMap((c) => [
    h('tr', h('td', c.alias ?? c.deviceName), h('td.mono', c.gbId), h('td', c.productKey), h('td', stateBadge(c.state))),
    ...c.channels.map((ch) =>
      h('tr.sub', h('td', `↳ ${ch.alias ?? ch.deviceName}`), h('td.mono', ch.gbId), h('td', ch.productKey), h('td', stateBadge(ch.state))),
    ),
  ]);
  const accept = (d) => {
    const name = h('input', { value: d.suggestedName ?? '', placeholder: t('cameras.name'), 'aria-label': t('cameras.name') });
    const alias = h('input', { placeholder: t('cameras.alias'), 'aria-label': t('cameras.alias') });
    const button = h(
      'button.small',
      {
        id: `accept-${d.gbId}`,
        onclick: async () => {
          button.disabled = true;
          msg.replaceChildren();
          try {
            const body = {
              gbId: d.gbId,
              ...(name.value.trim() ? { name: name.value.trim() } : {}),
              ...(alias.value.trim() ? { alias: alias.value.trim() } : {}),
            };
            const r = await api('POST', '/cameras/accept', body);
            await camerasPage(el);
            el.querySelector('#cameras-msg')?.replaceChildren(note('ok', t('cameras.accepted', { name: r.device.deviceName })));
          } catch (err) {
            msg.append(note('error', errorText(err)));
            button.disabled = false;
          }
        },
      },
      t('cameras.accept'),
    );
    return h(
      'tr',
      h('td.mono', d.gbId),
      h('td', t(`cameras.kind.${d.kind}`), d.parent ? ` (${d.parent})` : ''),
      h('td', d.address ?? ''),
      h('td', fmtTime(d.lastSeen)),
      h('td', name),
      h('td', alias),
      h('td', button),
    );
  };
  el.replaceChildren(
    h(
      'section.card',
      h('h2', t('cameras.title')),
      msg,
      rows.length
        ? h(
            'div.scroll',
            table([t('cameras.name'), t('cameras.gbId'), t('cameras.product'), t('cameras.stateCol')], rows, { id: 'cameras-table' }),
          )
        : h('p.muted', t('cameras.none')),
    ),
    h(
      'section.card',
      h('h2', t('cameras.discovered')),
      v.discovered.length
        ? h(
            'div.scroll',
            table(
              [
                t('cameras.gbId'),
                t('cameras.kindCol'),
                t('cameras.address'),
                t('cameras.lastSeen'),
                t('cameras.name'),
                t('cameras.alias'),
                '',
              ],
              v.discovered.map(accept),
              { id: 'discovered-table' },
            ),
          )
        : h('p.muted', t('cameras.noneDiscovered')),
    ),
  );
}
