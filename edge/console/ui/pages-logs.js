// The log viewer for the box log and each driver's log: newest first, level and text filter,
// follow mode (polls while on), fields shown as key=value, download of the file's tail.
import { t } from './i18n.js';
import { h, api, note, fmtTime, errorText } from './core.js';

const FOLLOW_MS = 2000;

const fieldText = (v) => (typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v));

function lineEl(l) {
  const fields = Object.entries(l.fields ?? {}).map(([k, v]) => h('span.kv', ` ${k}=${fieldText(v)}`));
  return h(
    `li.l-${l.level ?? 'raw'}`,
    l.time ? h('span.time', fmtTime(l.time)) : null,
    l.level ? h('span.level', l.level.toUpperCase()) : null,
    h('span.msg', l.msg),
    fields,
  );
}

/**
 * A log card. `source` is { title, api, download }: `api` answers { lines } for
 * `?level=&q=&limit=`, `download` is the file's URL. Returns [element, stop].
 */
export function logViewer(source) {
  const level = h(
    'select#log-level',
    ['', 'debug', 'info', 'warn', 'error'].map((l) => h('option', { value: l }, l ? t(`log.level.${l}`) : t('log.level.all'))),
  );
  const filter = h('input#log-filter', { type: 'search', placeholder: t('drivers.logFilter') });
  const follow = h('input#log-follow', { type: 'checkbox' });
  const list = h('ol.log#log-lines');
  const msg = h('div#log-msg');
  let timer = null;
  async function load() {
    const p = new URLSearchParams({ limit: '300' });
    if (level.value) p.set('level', level.value);
    if (filter.value.trim()) p.set('q', filter.value.trim());
    try {
      const r = await api('GET', `${source.api}?${p}`);
      msg.replaceChildren(r.file === null ? note('info', t('log.stdout')) : '');
      list.replaceChildren(...r.lines.map(lineEl));
    } catch (err) {
      msg.replaceChildren(note('error', errorText(err)));
    }
  }
  const stop = () => {
    clearInterval(timer);
    timer = null;
  };
  level.addEventListener('change', load);
  filter.addEventListener('input', load);
  follow.addEventListener('change', () => {
    stop();
    if (follow.checked) timer = setInterval(load, FOLLOW_MS);
  });
  const el = h(
    'section.card#log-viewer',
    h('h2', source.title),
    h(
      'div.filters',
      level,
      filter,
      h('label.inline', follow, ` ${t('log.follow')}`),
      h('a.button#log-download', { href: source.download, download: '' }, t('log.download')),
    ),
    msg,
    h('div.scroll', list),
  );
  void load();
  return [el, stop];
}
