// The maintenance page: config check and redeploy, backup and restore, password, bus users.
import { t } from './i18n.js';
import { h, api, note, table, errorText, fmtTime, passwordHint, session, fill } from './core.js';
import { configEditor } from './pages-drivers.js';

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
  fill(
    el,
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
