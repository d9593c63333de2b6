// Hosted apps (docs/apps.md): state, memory, restarts, last error; start / stop / restart; log tail.
import { t, getLang } from './i18n.js';
import { h, api, note, table, errorText } from './core.js';

// Texts of this page only, kept here so the shared message table needs no edit.
const TEXT = {
  zh: {
    title: '边缘应用',
    name: '应用',
    version: '版本',
    state: '状态',
    memory: '内存 MB',
    restarts: '重启',
    error: '最近错误',
    log: '日志',
    none: '未配置应用',
  },
  en: {
    title: 'Edge apps',
    name: 'App',
    version: 'Version',
    state: 'State',
    memory: 'Memory MB',
    restarts: 'Restarts',
    error: 'Last error',
    log: 'Log',
    none: 'No apps configured',
  },
};
const tx = (k) => (getLang() === 'en' ? TEXT.en : TEXT.zh)[k];

export async function appsPage(el) {
  let apps;
  try {
    apps = await api('GET', '/apps');
  } catch (err) {
    if (err.code === 'EDGE_ERR_CONSOLE_SERVICE_MISSING')
      return void el.replaceChildren(note('info', t('err.EDGE_ERR_CONSOLE_SERVICE_MISSING'), ` (${tx('title')})`));
    throw err;
  }
  const msg = h('div#apps-msg');
  const logBox = h('pre.log#apps-log', { hidden: true });
  const act = async (name, action) => {
    msg.replaceChildren();
    try {
      await api('POST', `/apps/${encodeURIComponent(name)}/${action}`);
      await appsPage(el);
    } catch (err) {
      msg.append(note('error', errorText(err)));
    }
  };
  const showLog = async (name) => {
    try {
      const r = await api('GET', `/apps/${encodeURIComponent(name)}/log?limit=200`);
      logBox.hidden = false;
      logBox.textContent = r.lines.join('\n');
    } catch (err) {
      msg.append(note('error', errorText(err)));
    }
  };
  const rows = apps.map((a) =>
    h(
      'tr',
      { id: `app-${a.name}` },
      h('td', a.name),
      h('td', a.version),
      h('td', h(`span.state.${a.state}`, a.state)),
      h('td', a.rssMb === undefined ? '—' : `${a.rssMb} / ${a.memoryMb}`),
      h('td', String(a.restarts)),
      h('td', a.lastError ?? ''),
      h(
        'td',
        ['start', 'stop', 'restart'].map((action) => h('button', { type: 'button', onclick: () => act(a.name, action) }, action)),
        h('button', { type: 'button', onclick: () => showLog(a.name) }, tx('log')),
      ),
    ),
  );
  el.replaceChildren(
    h('h1', tx('title')),
    msg,
    apps.length === 0
      ? note('info', tx('none'))
      : table([tx('name'), tx('version'), tx('state'), tx('memory'), tx('restarts'), tx('error'), ''], rows, { id: 'apps-table' }),
    logBox,
  );
}
