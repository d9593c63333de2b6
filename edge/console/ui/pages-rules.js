// EBA alarm rules and alarms: open alarms with acknowledge, history, rules (start/stop, delete), editor with dry run.
import { t } from './i18n.js';
import { h, api, note, table, errorText, fmtTime } from './core.js';

const LEVELS = ['0', '1', '2', '3'];

/** The acknowledge form of one open alarm (H7 confirmType 1 fault / 2 false alarm / 3 real alarm). */
export function confirmForm(alarm, onDone) {
  const type = h(
    'select',
    { 'data-confirm-type': alarm.alarmId },
    [1, 2, 3].map((n) => h('option', { value: String(n) }, t(`alarm.confirmType.${n}`))),
  );
  const comment = h('input', { placeholder: t('alarm.comment'), maxLength: 500, 'data-confirm-comment': alarm.alarmId });
  const msg = h('span');
  return h(
    'span.actions',
    type,
    comment,
    h(
      'button.small',
      {
        'data-confirm': alarm.alarmId,
        onclick: async () => {
          try {
            await api('POST', `/alarms/${encodeURIComponent(alarm.alarmId)}/confirm`, {
              confirmType: Number(type.value),
              ...(comment.value ? { confirmComment: comment.value } : {}),
            });
            await onDone();
          } catch (err) {
            msg.replaceChildren(note('error', errorText(err)));
          }
        },
      },
      t('alarm.confirm'),
    ),
    msg,
  );
}

export function alarmRows(alarms, onDone) {
  return alarms.map((a) =>
    h(
      'tr',
      { 'data-alarm': a.alarmId },
      h('td', fmtTime(a.time)),
      h('td', `${a.productKey}/${a.deviceName}`),
      h('td', a.alarmName),
      h('td.num', String(a.alarmLevel)),
      h('td', a.restrictAlarmType ? t(`alarm.restrict.${a.restrictAlarmType}`) : ''),
      h('td', a.recovery ? fmtTime(a.recoveryTime) : t('alarm.open')),
      h(
        'td',
        a.confirm
          ? `${t(`alarm.confirmType.${a.confirmType}`)}${a.confirmComment ? ` · ${a.confirmComment}` : ''} (${a.operator ?? ''})`
          : onDone
            ? confirmForm(a, onDone)
            : '',
      ),
    ),
  );
}

const alarmHeaders = () => [
  t('common.time'),
  t('access.device'),
  t('rules.name'),
  t('rules.level'),
  t('rules.limit'),
  t('alarm.recovery'),
  t('alarm.confirm'),
];

export async function rulesPage(el) {
  let open;
  try {
    open = await api('GET', '/alarms/open');
  } catch (err) {
    if (err.code === 'EDGE_ERR_CONSOLE_SERVICE_MISSING')
      return void el.replaceChildren(note('info', t('err.EDGE_ERR_CONSOLE_SERVICE_MISSING'), ` (${t('nav.rules')})`));
    throw err;
  }
  const openBox = h('div#alarms-open');
  const historyBox = h('div#alarms-history');
  const rulesBox = h('div#rules-list');
  const editor = h('textarea#rule-editor', { rows: 14, spellcheck: false });
  const result = h('div#rule-result');

  async function refresh() {
    open = await api('GET', '/alarms/open');
    openBox.replaceChildren(
      open.alarms.length ? table(alarmHeaders(), alarmRows(open.alarms, refresh), { id: 'open-alarms' }) : h('p.muted', t('dash.noAlarms')),
    );
    const hist = await api('GET', '/alarms?limit=100');
    historyBox.replaceChildren(table(alarmHeaders(), alarmRows(hist, undefined), { id: 'alarm-history' }));
    const rules = await api('GET', '/rules?pageSize=500');
    rulesBox.replaceChildren(
      table(
        [t('rules.name'), 'productKey', t('rules.level'), t('drivers.state'), ''],
        rules.data.map((r) =>
          h(
            'tr',
            { 'data-rule': r.alarmRuleId },
            h('td', r.alarmName),
            h('td', r.productKey),
            h('td.num', String(r.alarmLevel)),
            h('td', h(`span.badge.${r.status ? 'online' : 'offline'}`, t(r.status ? 'rules.enabled' : 'rules.stopped'))),
            h(
              'td',
              h(
                'button.small',
                {
                  onclick: async () => {
                    editor.value = JSON.stringify(await api('GET', `/rules/${encodeURIComponent(r.alarmRuleId)}`), null, 2);
                  },
                },
                t('rules.edit'),
              ),
              ' ',
              h(
                'button.small',
                {
                  'data-toggle': r.alarmRuleId,
                  onclick: async () => {
                    await api('POST', `/rules/${encodeURIComponent(r.alarmRuleId)}/status`, { status: r.status ? 0 : 1 });
                    await refresh();
                  },
                },
                t(r.status ? 'rules.stop' : 'rules.start'),
              ),
              ' ',
              h('button.small', { onclick: () => dryRun({ alarmRuleId: r.alarmRuleId }) }, t('rules.dryRun')),
              ' ',
              h(
                'button.small.warn',
                {
                  onclick: async () => {
                    await api('DELETE', `/rules/${encodeURIComponent(r.alarmRuleId)}`);
                    await refresh();
                  },
                },
                t('rules.delete'),
              ),
            ),
          ),
        ),
        { id: 'rules-table' },
      ),
    );
  }

  function draft() {
    const rule = JSON.parse(editor.value);
    // The detail shape names the content `content` (H4); the add fields call it alarmContent (H1).
    if (rule.content !== undefined && rule.alarmContent === undefined) {
      rule.alarmContent = rule.content;
      delete rule.content;
    }
    return rule;
  }
  function showProblems(err) {
    result.replaceChildren(
      note('error', errorText(err)),
      err.problems
        ? h(
            'ul.problems#rule-problems',
            err.problems.map((p) => h('li', h('code', p.field), ' ', p.message)),
          )
        : '',
    );
  }
  async function dryRun(body) {
    try {
      const r = await api('POST', '/rules/dry-run', body);
      result.replaceChildren(
        table(
          [
            t('access.device'),
            t('rules.limit'),
            t('rules.property'),
            t('device.value'),
            t('rules.matches'),
            t('rules.inRange'),
            t('rules.recovers'),
            t('alarm.open'),
          ],
          r.devices.map((d) =>
            h(
              'tr',
              h('td', d.device),
              h('td', String(d.side)),
              h('td', d.property),
              h('td', d.value === null ? '—' : String(d.value)),
              h('td', t(d.triggerMatches ? 'common.yes' : 'common.no')),
              h('td', t(d.inTimeRange ? 'common.yes' : 'common.no')),
              h('td', t(d.recovers ? 'common.yes' : 'common.no')),
              h('td', d.openAlarmId ?? ''),
            ),
          ),
          { id: 'dry-run' },
        ),
      );
    } catch (err) {
      showProblems(err);
    }
  }

  el.replaceChildren(
    h('section.card', h('h2', t('alarm.openTitle')), openBox),
    h('section.card', h('h2', t('nav.rules')), rulesBox),
    h(
      'section.card',
      h('h2', t('rules.editor')),
      h('p.muted', t('rules.editorHint')),
      editor,
      h(
        'div.actions',
        h(
          'button#rule-save',
          {
            onclick: async () => {
              try {
                const r = await api('POST', '/rules', { rule: draft() });
                result.replaceChildren(
                  note('ok', t('rules.saved'), ` ${r.alarmRuleId}`),
                  ...(r.warnings ?? []).map((w) => note('info', `${w.field}: ${w.message}`)),
                );
                await refresh();
              } catch (err) {
                if (err instanceof SyntaxError) result.replaceChildren(note('error', err.message));
                else showProblems(err);
              }
            },
          },
          t('rules.save'),
        ),
        h(
          'button#rule-dry-run',
          {
            onclick: () => {
              try {
                void dryRun({ rule: draft() });
              } catch (err) {
                result.replaceChildren(note('error', err.message));
              }
            },
          },
          t('rules.dryRun'),
        ),
      ),
      result,
    ),
    h('section.card', h('h2', t('alarm.history')), historyBox),
  );
  await refresh();
}

export { LEVELS };
