// Box-level pages: dashboard, drivers (log tail, restart, config redeploy); the config editor both use.
import { t } from './i18n.js';
import { h, api, note, table, errorText, fmtTime, fmtDuration, fill } from './core.js';
import { alarmRows } from './pages-rules.js';
import { subscribe } from './live.js';
import { historyCard } from './pages-history.js';
import { logViewer } from './pages-logs.js';
import { alarmDetail, alarmKindText, cloudStateText, driverStateText, plainReason } from './plain.js';

export async function dashboardPage(el, _args, onLeave) {
  async function refresh() {
    const [d, history] = await Promise.all([api('GET', '/dashboard'), api('GET', '/history/status').catch(() => null)]);
    const cloud = d.cloud;
    el.replaceChildren(
      h(
        'div.grid',
        h(
          'section.card#dash-identity',
          h('h2', t('dash.identity')),
          h(
            'dl',
            h('dt', t('dash.identity')),
            h('dd', d.identity.name),
            h('dt', t('dash.version')),
            h('dd', d.identity.version),
            d.identity.productKey
              ? [h('dt', 'productKey / deviceName'), h('dd', `${d.identity.productKey} / ${d.identity.deviceName}`)]
              : null,
            h('dt', t('dash.uptime')),
            h('dd#dash-uptime', fmtDuration(d.uptimeS)),
          ),
        ),
        h(
          'section.card#dash-system',
          h('h2', `${t('dash.cpu')} / ${t('dash.memory')} / ${t('dash.disk')}`),
          h(
            'dl',
            h('dt', t('dash.cpu')),
            h(
              'dd',
              `${d.system.cpu.cores} × · ${t('dash.load')} ${d.system.cpu.load1} / ${d.system.cpu.load5} · ${t('dash.process')} ${d.system.cpu.processPercent}%`,
            ),
            h('dt', t('dash.memory')),
            h(
              'dd',
              `${d.system.memory.freeMb} / ${d.system.memory.totalMb} MB ${t('dash.free')} · ${t('dash.process')} ${d.system.memory.processRssMb} MB`,
            ),
            h('dt', t('dash.disk')),
            h(
              'dd',
              d.system.disk ? `${d.system.disk.freeMb} / ${d.system.disk.totalMb} MB ${t('dash.free')}` : '—',
              d.store && !d.store.writable
                ? h('div.badge.offline#dash-store-full', `${t('dash.storeFull')} · ${fmtTime(d.store.since)}`)
                : null,
            ),
          ),
        ),
        h(
          'section.card#dash-cloud',
          h('h2', t('dash.cloud')),
          cloud
            ? h(
                'dl',
                h('dt', t('drivers.state')),
                h('dd', h(`span.badge.${cloud.connected ? 'online' : 'offline'}`, cloudStateText(cloud.state))),
                h('dt', t('dash.lastError')),
                h('dd', plainReason(cloud.lastError ?? '—')),
                h('dt', t('dash.outbox')),
                h('dd#dash-outbox', String(cloud.outboxDepth)),
                h('dt', t('dash.oldest')),
                h('dd', fmtTime(cloud.oldestQueuedAt)),
                ...(cloud.r41 ? r41Rows(cloud.r41) : []),
              )
            : h('p.muted', t('dash.cloud.none')),
        ),
        h('section.card#dash-bus', h('h2', t('dash.bus')), h('p.big', String(d.bus.clients))),
        history ? historyCard(history) : null,
        h(
          'section.card.wide#dash-devices',
          h('h2', t('dash.devices')),
          table(
            [t('drivers.name'), t('drivers.state'), t('status.online'), t('status.offline'), t('status.disabled')],
            d.devices.perDriver.map((p) =>
              h(
                'tr',
                { 'data-driver': p.driver },
                h('td', p.driver),
                h('td', h(`span.badge.${p.state}`, driverStateText(p.state))),
                h('td.num.online', String(p.online)),
                h('td.num.offline', String(p.offline)),
                h('td.num.disabled', String(p.disabled)),
              ),
            ),
          ),
        ),
        d.ruleAlarms
          ? h(
              'section.card.wide#dash-rule-alarms',
              h('h2', `${t('alarm.openTitle')} (${d.ruleAlarms.total})`),
              d.ruleAlarms.alarms.length === 0
                ? h('p.muted', t('dash.noAlarms'))
                : table(
                    [
                      t('common.time'),
                      t('access.device'),
                      t('rules.name'),
                      t('rules.level'),
                      t('rules.limit'),
                      t('alarm.recovery'),
                      t('alarm.confirm'),
                    ],
                    alarmRows(d.ruleAlarms.alarms, refresh),
                  ),
            )
          : null,
        h(
          'section.card.wide#dash-alarms',
          h('h2', t('dash.alarms')),
          d.alarms.length === 0
            ? h('p.muted', t('dash.noAlarms'))
            : table([t('common.time'), t('access.device'), t('common.action'), ''], d.alarms.map(alarmRow)),
        ),
      ),
    );
  }
  await refresh();
  const timer = setInterval(() => refresh().catch(() => {}), 5000);
  onLeave(() => clearInterval(timer));
}

/** One recent alarm in words: its kind (a device event's thing-model name) and what it says. */
const alarmRow = (a) =>
  h('tr', h('td', fmtTime(a.time)), h('td', a.source), h('td.kind', alarmKindText(a.kind, a.title)), h('td.msg', alarmDetail(a)));

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

/** Box health as the platform judges it (R41): each part on its own row, with why when it fails. */
function r41Rows(r) {
  const badge = (ok) =>
    h(
      `span.badge.${ok === true ? 'online' : ok === false ? 'offline' : 'pending'}`,
      t(ok === true ? 'r41.ok' : ok === false ? 'r41.bad' : 'r41.unknown'),
    );
  const internet =
    r.internet.ok === false
      ? ` ${r.internet.target ?? ''} — ${r.internet.lastError ?? ''}`
      : r.internet.rttMs !== undefined
        ? ` ${r.internet.rttMs} ms`
        : '';
  const deployment = r.deployment.notRunning.length
    ? ` ${r.deployment.notRunning.join(', ')}`
    : ` ${r.deployment.running}/${r.deployment.total}`;
  const clock = r.clock.offsetMs === undefined ? t('r41.unknown') : `${r.clock.offsetMs} ms`;
  return [
    h('dt', t('r41.online')),
    h('dd#dash-r41', badge(r.online)),
    h('dt', t('r41.internet')),
    h('dd#dash-r41-internet', badge(r.internet.ok), internet),
    h('dt', t('r41.deployment')),
    h('dd#dash-r41-deployment', badge(r.deployment.ok), deployment),
    h('dt', t('r41.clock')),
    h('dd#dash-r41-clock', r.clock.warning ? note('warn', clock, ' — ', r.clock.warning) : clock),
  ];
}
