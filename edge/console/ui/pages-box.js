// Box-level pages: the dashboard (devices, drivers, alarms, cloud and R41 health, history retention).
import { t } from './i18n.js';
import { h, api, note, table, fmtTime, fmtDuration } from './core.js';
import { alarmRows } from './pages-rules.js';
import { historyCard } from './pages-history.js';
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
