// The drivers page (state, restart, log, forms) and the config editor the maintenance page shares.
import { t } from './i18n.js';
import { h, api, note, table, errorText, fill } from './core.js';
import { subscribe } from './live.js';
import { logViewer } from './pages-logs.js';
import { driverStateText, plainReason } from './plain.js';

export async function driversPage(el, _args, onLeave) {
  const msg = h('div#drivers-msg');
  const logBox = h('div#driver-log');
  const tableBox = h('div');
  // Reloaded after a deploy or a restart: states, counts and errors change then.
  let running = []; // drivers that can be asked to discover
  async function loadTable() {
    const drivers = await api('GET', '/drivers');
    running = drivers.filter((d) => d.state === 'running').map((d) => d.name);
    tableBox.replaceChildren(
      table(
        [t('drivers.name'), t('drivers.state'), t('drivers.restarts'), t('drivers.devices'), t('drivers.lastError'), ''],
        drivers.map(driverRow),
        { id: 'drivers-table' },
      ),
    );
  }
  const driverRow = (d) =>
    h(
      'tr',
      { 'data-driver': d.name },
      h('td', d.name),
      h('td', h(`span.badge.${d.state}`, driverStateText(d.state))),
      h('td.num', String(d.restarts)),
      h('td.num', `${d.online}/${d.devices}`),
      h('td.msg', plainReason(d.lastError ?? '')),
      h(
        'td',
        h('button.small', { onclick: () => showLog(d.name) }, t('drivers.log')),
        ' ',
        h(
          'button.small.warn',
          {
            'data-restart': d.name,
            onclick: async () => {
              msg.replaceChildren();
              try {
                await api('POST', `/drivers/${encodeURIComponent(d.name)}/restart`, {});
                msg.append(note('ok', t('drivers.restarted', { name: d.name })));
                await loadTable();
              } catch (err) {
                msg.append(note('error', errorText(err)));
              }
            },
          },
          t('drivers.restart'),
        ),
      ),
    );
  let stopLog = () => {};
  onLeave(() => stopLog());
  function showLogOf(source) {
    stopLog();
    const [viewer, stop] = logViewer(source);
    stopLog = stop;
    logBox.replaceChildren(viewer);
  }
  const showLog = (name) =>
    showLogOf({
      title: `${t('drivers.log')} · ${name}`,
      api: `/drivers/${encodeURIComponent(name)}/log`,
      download: `/api/drivers/${encodeURIComponent(name)}/log.txt`,
    });
  const showBoxLog = () => showLogOf({ title: t('log.box'), api: '/logs/box', download: '/api/logs/box.txt' });
  await loadTable();
  // A driver's state changed (deploy, crash, restart): redraw once the burst is over.
  let pending = null;
  subscribe(
    undefined,
    {
      driver: () => {
        clearTimeout(pending);
        pending = setTimeout(() => loadTable().catch(() => {}), 300);
      },
    },
    onLeave,
  );
  onLeave(() => clearTimeout(pending));
  // The forms (loaded only on this page) and the YAML view edit one config: a deploy from either refreshes the other.
  const yamlBox = h('div');
  const { driverForms } = await import('./forms-drivers.js');
  const forms = await driverForms(
    async () => {
      await loadTable();
      fill(yamlBox, await configEditor('redeploy', afterYamlDeploy));
    },
    () => running,
  );
  async function afterYamlDeploy() {
    await loadTable();
    await forms.reload();
  }
  fill(yamlBox, await configEditor('redeploy', afterYamlDeploy));
  el.replaceChildren(
    h('section.card', h('h2', t('nav.drivers')), tableBox, h('button.small#box-log-open', { onclick: showBoxLog }, t('log.box')), msg),
    forms.el,
    logBox,
    yamlBox,
  );
}

/** The config editor (YAML expert view, lines marked): 'redeploy' deploys, 'validate' only checks. */
export async function configEditor(mode, onDeployed = () => {}) {
  const [cfg, { lineEditor, lineProblemList }] = await Promise.all([api('GET', '/config'), import('./yaml-view.js')]);
  const area = h('textarea#config-text', { spellcheck: 'false', rows: 18 });
  area.value = cfg.text;
  const editor = lineEditor(area);
  const out = h('div#config-result');
  const listed = (problems) => lineProblemList(problems, editor.goTo);
  async function submit(deploy) {
    out.replaceChildren();
    editor.mark([]);
    try {
      if (deploy) {
        const r = await api('POST', '/config/redeploy', { text: area.value });
        out.append(
          note(
            'ok',
            t('config.deployed', {
              added: r.diff.added.join(', ') || '—',
              removed: r.diff.removed.join(', ') || '—',
              restarted: r.diff.restarted.join(', ') || '—',
            }),
          ),
        );
        await onDeployed();
      } else {
        // The daemon's own check, each problem with its line (routes/config-forms.ts).
        const r = await api('POST', '/config/check', { text: area.value });
        editor.mark(r.problems);
        // Advisories (a factory password, anonymous bus access) do not refuse a config but must be seen.
        const advisories = r.problems.filter((p) => p.advisory);
        const errors = r.problems.filter((p) => !p.advisory);
        out.append(
          r.ok
            ? note('ok', t('config.valid'))
            : h('div.note.error', { role: 'alert' }, t('config.problems', { n: errors.length }), listed(errors)),
          advisories.length
            ? h('div.note.info#config-advisories', t('config.advisories', { n: advisories.length }), listed(advisories))
            : '',
        );
      }
    } catch (err) {
      if (err.problems) editor.mark(err.problems);
      out.append(
        h(
          'div.note.error',
          { role: 'alert' },
          err.problems ? [t('config.problems', { n: err.problems.length }), listed(err.problems)] : errorText(err),
        ),
      );
    }
  }
  return h(
    'section.card#yaml-expert',
    h('h2', mode === 'redeploy' ? t('yaml.title') : t('config.title')),
    h('p.muted', `${t('config.file')}: ${cfg.file ?? t('config.embedded')}`),
    editor.el,
    h(
      'div.actions',
      h('button#config-validate', { onclick: () => submit(false) }, t('config.validate')),
      mode === 'redeploy' ? h('button#config-redeploy', { onclick: () => submit(true) }, t('config.redeploy')) : null,
    ),
    out,
  );
}
