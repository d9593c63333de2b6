// Box-level pages: dashboard, drivers (log tail, restart, config redeploy), maintenance.
import { t } from './i18n.js';
import { h, api, note, table, errorText, fmtTime, fmtDuration, problemList, passwordHint, session } from './core.js';
import { alarmRows } from './pages-rules.js';

export async function dashboardPage(el, _args, onLeave) {
  async function refresh() {
    const d = await api('GET', '/dashboard');
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
                h('dd', h(`span.badge.${cloud.connected ? 'online' : 'offline'}`, cloud.state)),
                h('dt', t('dash.lastError')),
                h('dd', cloud.lastError ?? '—'),
                h('dt', t('dash.outbox')),
                h('dd#dash-outbox', String(cloud.outboxDepth)),
                h('dt', t('dash.oldest')),
                h('dd', fmtTime(cloud.oldestQueuedAt)),
              )
            : h('p.muted', t('dash.cloud.none')),
        ),
        h('section.card#dash-bus', h('h2', t('dash.bus')), h('p.big', String(d.bus.clients))),
        h(
          'section.card.wide#dash-devices',
          h('h2', t('dash.devices')),
          table(
            [t('drivers.name'), t('drivers.state'), t('status.online'), t('status.offline')],
            d.devices.perDriver.map((p) =>
              h(
                'tr',
                h('td', p.driver),
                h('td', h(`span.badge.${p.state}`, p.state)),
                h('td.num', String(p.online)),
                h('td.num', String(p.offline)),
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
            : table(
                [t('common.time'), t('access.device'), t('common.action'), ''],
                d.alarms.map((a) => h('tr', h('td', fmtTime(a.time)), h('td', a.source), h('td', a.kind), h('td.msg', a.message))),
              ),
        ),
      ),
    );
  }
  await refresh();
  const timer = setInterval(() => refresh().catch(() => {}), 5000);
  onLeave(() => clearInterval(timer));
}

export async function driversPage(el) {
  const drivers = await api('GET', '/drivers');
  const msg = h('div#drivers-msg');
  const logBox = h('div#driver-log');
  const rows = drivers.map((d) =>
    h(
      'tr',
      { 'data-driver': d.name },
      h('td', d.name),
      h('td', h(`span.badge.${d.state}`, d.state)),
      h('td.num', String(d.restarts)),
      h('td.num', `${d.online}/${d.devices}`),
      h('td.msg', d.lastError ?? ''),
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
              } catch (err) {
                msg.append(note('error', errorText(err)));
              }
            },
          },
          t('drivers.restart'),
        ),
      ),
    ),
  );
  async function showLog(name, q = '') {
    const filter = h('input#log-filter', { placeholder: t('drivers.logFilter'), value: q, onchange: (e) => showLog(name, e.target.value) });
    const r = await api('GET', `/drivers/${encodeURIComponent(name)}/log?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    logBox.replaceChildren(
      h(
        'section.card',
        h('h2', `${t('drivers.log')} · ${name}`),
        filter,
        h(
          'pre.log',
          r.lines.map((l) =>
            h(
              `span.l-${l.level ?? 'raw'}`,
              `${l.time ? `${fmtTime(l.time)} ` : ''}${l.level ? `${l.level.toUpperCase()} ` : ''}${l.raw.length > 400 ? `${l.raw.slice(0, 400)}…` : l.raw}\n`,
            ),
          ),
        ),
      ),
    );
  }
  el.replaceChildren(
    h(
      'section.card',
      h('h2', t('nav.drivers')),
      table([t('drivers.name'), t('drivers.state'), t('drivers.restarts'), t('drivers.devices'), t('drivers.lastError'), ''], rows, {
        id: 'drivers-table',
      }),
      msg,
    ),
    logBox,
    await configEditor('redeploy'),
  );
}

/** The config editor: 'redeploy' deploys, 'validate' only checks. */
async function configEditor(mode) {
  const cfg = await api('GET', '/config');
  const area = h('textarea#config-text', { spellcheck: 'false', rows: 18 });
  area.value = cfg.text;
  const out = h('div#config-result');
  async function submit(deploy) {
    out.replaceChildren();
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
      } else {
        const r = await api('POST', '/maintenance/config/validate', { text: area.value });
        out.append(
          r.ok
            ? note('ok', t('config.valid'))
            : h('div.note.error', { role: 'alert' }, t('config.problems', { n: r.problems.length }), problemList(r.problems)),
        );
      }
    } catch (err) {
      out.append(
        h(
          'div.note.error',
          { role: 'alert' },
          err.problems ? [t('config.problems', { n: err.problems.length }), problemList(err.problems)] : errorText(err),
        ),
      );
    }
  }
  return h(
    'section.card',
    h('h2', t('config.title')),
    h('p.muted', `${t('config.file')}: ${cfg.file ?? t('config.embedded')}`),
    area,
    h(
      'div.actions',
      h('button#config-validate', { onclick: () => submit(false) }, t('config.validate')),
      mode === 'redeploy' ? h('button#config-redeploy', { onclick: () => submit(true) }, t('config.redeploy')) : null,
    ),
    out,
  );
}

export async function maintenancePage(el) {
  const status = await api('GET', '/maintenance/status');
  const audit = await api('GET', '/maintenance/audit?limit=50');
  const restoreMsg = h('div#restore-msg');
  const file = h('input#restore-file', { type: 'file', accept: '.gz,.tgz,application/gzip' });
  async function restore(confirmed) {
    restoreMsg.replaceChildren();
    const f = file.files?.[0];
    if (!f) return;
    try {
      const r = await api('POST', `/maintenance/restore${confirmed ? '?confirm=yes' : ''}`, f);
      const p = r.preview;
      restoreMsg.append(
        h(
          'dl',
          h('dt', t('dash.identity')),
          h('dd', p.box),
          h('dt', t('common.time')),
          h('dd', new Date(p.createdAt).toLocaleString()),
          h('dt', t('dash.version')),
          h('dd', p.appVersion),
        ),
      );
      if (!confirmed)
        restoreMsg.append(
          note('info', t('maint.confirm')),
          h('button.warn#restore-confirm', { onclick: () => restore(true) }, t('maint.restore')),
        );
      else restoreMsg.append(note('ok', t('maint.restored')));
    } catch (err) {
      restoreMsg.append(note('error', errorText(err)));
    }
  }
  const pw = {
    current: h('input#pw-current', { type: 'password', autocomplete: 'current-password' }),
    next: h('input#pw-next', { type: 'password', autocomplete: 'new-password' }),
  };
  const pwMsg = h('div#pw-msg');
  el.replaceChildren(
    status.pendingRestore ? note('info', t('maint.pending')) : null,
    h(
      'div.grid',
      h(
        'section.card',
        h('h2', t('maint.backup')),
        h('a.button#backup-download', { href: '/api/maintenance/backup', download: '' }, t('maint.download')),
      ),
      h(
        'section.card',
        h('h2', t('maint.restore')),
        h('p.muted', t('maint.restoreHint')),
        file,
        h('button#restore-preview', { onclick: () => restore(false) }, t('maint.preview')),
        restoreMsg,
      ),
      h(
        'section.card',
        h('h2', t('password.change')),
        h('label', t('password.current'), pw.current),
        h('label', t('password.new'), pw.next),
        passwordHint(pw.next, session.user ?? '', 'pw-hint'),
        h(
          'button#pw-submit',
          {
            onclick: async () => {
              pwMsg.replaceChildren();
              try {
                await api('POST', '/password', { current: pw.current.value, next: pw.next.value });
                pwMsg.append(note('ok', t('password.changed')));
              } catch (err) {
                pwMsg.append(
                  note('error', err.code === 'EDGE_ERR_CONSOLE_LOCKED' ? t('login.locked', { s: err.retryAfterS }) : errorText(err)),
                );
                if (err.problems)
                  pwMsg.append(
                    h(
                      'ul',
                      err.problems.map((p) => h('li', t(p, { n: session.passwordMinLength }))),
                    ),
                  );
              }
            },
          },
          t('password.change'),
        ),
        pwMsg,
      ),
    ),
    await configEditor('validate'),
    await busUsersCard(),
    h(
      'section.card',
      h('h2', t('maint.audit')),
      table(
        [t('common.time'), t('common.user'), 'IP', t('common.action'), t('common.target'), t('common.result')],
        audit.map((a) =>
          h(
            'tr',
            h('td', fmtTime(a.at)),
            h('td', a.user),
            h('td', a.ip),
            h('td', a.action),
            h('td', a.target ?? ''),
            h('td', a.ok ? '✔' : '✘'),
          ),
        ),
        { id: 'audit-table' },
      ),
    ),
  );
}

/** The local bus's users: config users listed, app users added, re-scoped and removed here. */
async function busUsersCard() {
  const card = h('section.card#bus-users');
  const msg = h('div#bus-user-msg');
  const split = (v) =>
    v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  async function act(fn) {
    msg.replaceChildren();
    try {
      await fn();
      await render();
    } catch (err) {
      msg.append(note('error', errorText(err)));
    }
  }
  async function render() {
    let users;
    try {
      users = await api('GET', '/bus/users');
    } catch (err) {
      card.replaceChildren(h('h2', t('bus.users')), note('info', errorText(err)));
      return;
    }
    const name = h('input#bus-user-name', { autocomplete: 'off' });
    const read = h('input#bus-user-read', { placeholder: '/sys/+/+/thing/event/#' });
    const write = h('input#bus-user-write', { placeholder: '/sys/+/+/thing/service/#' });
    card.replaceChildren(
      h('h2', t('bus.users')),
      h('p.muted', t('bus.hint')),
      table(
        [t('common.user'), t('bus.source'), t('bus.read'), t('bus.write'), ''],
        users.map((u) => {
          const r = h('input', { value: u.read.join(', '), 'aria-label': `${u.username} ${t('bus.read')}` });
          const w = h('input', { value: u.write.join(', '), 'aria-label': `${u.username} ${t('bus.write')}` });
          const editable = u.source !== 'config';
          return h(
            'tr',
            { 'data-user': u.username },
            h('td', u.username),
            h('td', t(`bus.src.${u.source}`)),
            h('td', editable ? r : u.read.join(', ')),
            h('td', editable ? w : u.write.join(', ')),
            h(
              'td',
              editable
                ? h(
                    'button.bus-save',
                    {
                      onclick: () =>
                        act(() =>
                          api('PUT', `/bus/users/${encodeURIComponent(u.username)}`, { read: split(r.value), write: split(w.value) }),
                        ),
                    },
                    t('bus.save'),
                  )
                : null,
              u.source === 'app'
                ? h(
                    'button.warn.bus-remove',
                    { onclick: () => act(() => api('DELETE', `/bus/users/${encodeURIComponent(u.username)}`)) },
                    t('bus.remove'),
                  )
                : null,
            ),
          );
        }),
        { id: 'bus-user-table' },
      ),
      h('label', t('common.user'), name),
      h('label', t('bus.read'), read),
      h('label', t('bus.write'), write),
      h(
        'button#bus-user-add',
        {
          onclick: () =>
            act(async () => {
              const r = await api('POST', '/bus/users', {
                username: name.value.trim(),
                read: split(read.value),
                write: split(write.value),
              });
              msg.append(note('ok', t('bus.password'), ' ', h('code#bus-user-password', r.password)));
            }),
        },
        t('bus.add'),
      ),
      msg,
    );
  }
  await render();
  return card;
}
