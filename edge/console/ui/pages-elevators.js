// Person-elevator linkage: relations (trigger door → elevator), the persons each may travel with, call records.
import { t } from './i18n.js';
import { h, api, note, table, errorText, fmtTime } from './core.js';

const MODES = ['CALL_ONLY', 'CALL_WITH_TARGET', 'RELEASE_ONLY', 'ACTIVATE_ONLY'];

/** "5:0501, 6" → [{targetFloor: '5', targetRoomNo: '0501'}, {targetFloor: '6'}] */
function parseTargets(text) {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const [floor, room] = x.split(':').map((y) => y.trim());
      return room ? { targetFloor: floor, targetRoomNo: room } : { targetFloor: floor };
    });
}
function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return [];
  }
}
const targetsText = (list) => (list ?? []).map((x) => (x.targetRoomNo ? `${x.targetFloor}:${x.targetRoomNo}` : x.targetFloor)).join(', ');

export async function elevatorsPage(el) {
  let relations;
  try {
    relations = await api('GET', '/elevators/relations');
  } catch (err) {
    if (err.code === 'EDGE_ERR_CONSOLE_SERVICE_MISSING')
      return void el.replaceChildren(note('info', t('err.EDGE_ERR_CONSOLE_SERVICE_MISSING'), ` (${t('nav.elevators')})`));
    throw err;
  }
  const msg = h('div#elev-msg');
  const usersBox = h('section.card#elev-users', { hidden: true });
  const act = async (fn) => {
    msg.replaceChildren();
    try {
      await fn();
      await elevatorsPage(el);
    } catch (err) {
      msg.append(note('error', errorText(err)));
    }
  };
  const f = {
    controlMode: h(
      'select#elev-mode',
      MODES.map((m) => h('option', { value: m }, t(`elev.mode.${m}`))),
    ),
    triggerIotId: h('input#elev-trigger', { placeholder: 'iotId' }),
    elevatorIotId: h('input#elev-elevator', { placeholder: 'iotId' }),
    triggerFloor: h('input#elev-floor'),
    triggerRoomNo: h('input#elev-room'),
    triggerElevatorId: h('input#elev-car'),
    delaySeconds: h('input#elev-delay', { type: 'number', min: 0, max: 300, value: '0' }),
  };
  const addRelation = () =>
    act(async () => {
      const body = {
        controlMode: f.controlMode.value,
        triggerIotId: f.triggerIotId.value.trim(),
        elevatorIotId: f.elevatorIotId.value.trim(),
        delaySeconds: Number(f.delaySeconds.value || 0),
        executionNode: 'EDGE',
      };
      for (const k of ['triggerFloor', 'triggerRoomNo', 'triggerElevatorId']) if (f[k].value.trim()) body[k] = f[k].value.trim();
      await api('POST', '/elevators/relations', body);
    });

  async function showUsers(rel, q = '') {
    usersBox.hidden = false;
    const search = h('input#elev-user-q', { value: q, placeholder: t('elev.search') });
    const u = {
      id: h('input#elev-user-id', { placeholder: 'identityId' }),
      expiry: h('input#elev-user-expiry', { placeholder: 'YYYY-MM-DD hh:mm:ss' }),
      targets: h('input#elev-user-targets', { placeholder: '5:0501, 6' }),
    };
    const umsg = h('div#elev-user-msg');
    let page;
    try {
      page = await api('GET', `/elevators/relations/${encodeURIComponent(rel.dataId)}/users?${new URLSearchParams({ q, limit: '100' })}`);
    } catch (err) {
      usersBox.replaceChildren(note('error', errorText(err)));
      return;
    }
    const uact = async (fn) => {
      umsg.replaceChildren();
      try {
        await fn();
        await showUsers(rel, search.value);
      } catch (err) {
        umsg.append(note('error', errorText(err)));
      }
    };
    usersBox.replaceChildren(
      h('h2', t('elev.users'), ` · ${rel.dataId}`),
      h(
        'div.filters',
        search,
        h('button#elev-user-search', { onclick: () => showUsers(rel, search.value) }, t('common.search')),
        h('span.muted', t('elev.total', { n: page.total })),
      ),
      table(
        [t('elev.key'), t('elev.expiry'), t('elev.targets'), ''],
        page.users.map((x) =>
          h(
            'tr',
            { 'data-user': x.paramValue },
            h('td', x.paramType === 'IDENTITY' ? x.paramValue : `${x.paramType} ${x.paramValue}`),
            h('td', x.expiryTime || t('elev.permanent')),
            h('td', targetsText(x.userTargetList)),
            h(
              'td',
              h(
                'button.small.warn.elev-user-delete',
                {
                  onclick: () =>
                    uact(() =>
                      api(
                        'POST',
                        `/elevators/relations/${encodeURIComponent(rel.dataId)}/users/delete`,
                        x.version === '1.0.2' ? { identityId: x.paramValue } : { paramType: x.paramType, paramValue: x.paramValue },
                      ),
                    ),
                },
                t('bus.remove'),
              ),
            ),
          ),
        ),
        { id: 'elev-user-table' },
      ),
      h(
        'div.filters',
        u.id,
        u.expiry,
        u.targets,
        h(
          'button#elev-user-save',
          {
            onclick: () =>
              uact(() =>
                api('POST', `/elevators/relations/${encodeURIComponent(rel.dataId)}/users`, {
                  identityId: u.id.value.trim(),
                  expiryTime: u.expiry.value.trim(),
                  userTargetList: parseTargets(u.targets.value),
                }),
              ),
          },
          t('elev.saveUser'),
        ),
      ),
      h('p.muted', t('elev.targetsHint')),
      umsg,
    );
  }

  const records = await api('GET', '/elevators/records?limit=50');
  el.replaceChildren(
    h(
      'section.card',
      h('h2', t('elev.relations')),
      table(
        [t('elev.id'), t('elev.mode'), t('elev.trigger'), t('elev.elevator'), t('elev.floor'), t('elev.delay'), t('elev.users'), ''],
        relations.map((r) =>
          h(
            'tr',
            { 'data-relation': r.dataId },
            h('td', r.dataId),
            h('td', t(`elev.mode.${r.controlMode}`)),
            h('td', r.triggerIotId),
            h('td', r.elevatorIotId),
            h('td', [r.triggerFloor, r.triggerRoomNo].filter(Boolean).join(' / ')),
            h('td.num', String(r.delaySeconds)),
            h('td.num', String(r.users)),
            h(
              'td',
              h('button.small.elev-show-users', { onclick: () => showUsers(r) }, t('elev.users')),
              ' ',
              h(
                'button.small.warn.elev-delete',
                { onclick: () => act(() => api('DELETE', `/elevators/relations/${encodeURIComponent(r.dataId)}`)) },
                t('bus.remove'),
              ),
            ),
          ),
        ),
        { id: 'elev-relations' },
      ),
      h('h3', t('elev.add')),
      h(
        'div.grid',
        h('label', t('elev.mode'), f.controlMode),
        h('label', t('elev.trigger'), f.triggerIotId),
        h('label', t('elev.elevator'), f.elevatorIotId),
        h('label', t('elev.floor'), f.triggerFloor),
        h('label', t('elev.room'), f.triggerRoomNo),
        h('label', t('elev.car'), f.triggerElevatorId),
        h('label', t('elev.delay'), f.delaySeconds),
      ),
      h('button#elev-add', { onclick: addRelation }, t('elev.add')),
      msg,
    ),
    usersBox,
    h(
      'section.card',
      h('h2', t('elev.records')),
      table(
        [t('common.time'), t('elev.id'), t('elev.key'), t('elev.elevator'), t('elev.targets'), t('access.result')],
        records.map((r) =>
          h(
            'tr',
            h('td', fmtTime(Number(r.eventTime))),
            h('td', r.dataId),
            h('td', r.identityID || `${r.mediaType} ${r.mediaID}`),
            h('td', `${r.elevatorProductKey}/${r.elevatorDeviceName}`),
            h('td', targetsText(safeJson(r.targetList))),
            h('td', r.callResultCode === 200 ? '✔' : `✘ ${r.callResultMsg ?? ''}`),
          ),
        ),
        { id: 'elev-records' },
      ),
    ),
  );
}
