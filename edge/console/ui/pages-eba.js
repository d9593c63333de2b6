// EBA point tables of the ModbusV3 and BACnetV3 drivers: view the three sheets with the
// template's own headers (hex addresses as in the workbook), import one .xlsx or one .csv per
// sheet — check only, or apply — with progress and a downloadable error report, export, and the
// blank template.
import { t } from './i18n.js';
import { ebaReason } from './plain.js';
import { h, api, note, table, errorText, download } from './core.js';

const SHEETS = ['channels', 'points', 'devices'];
const TYPE_LABEL = { 'modbus-v3': 'ModbusV3', 'bacnet-v3': 'BACnetV3' };

function sheetTable(r, id) {
  if (!r.rows.length) return h('p.muted', t('eba.empty'));
  const head = r.columns.map((c) => h('span', { title: c.note ?? '' }, c.header));
  return h(
    'div.scroll',
    table(
      head,
      r.rows.map((cells) =>
        h(
          'tr',
          cells.map((c) => h('td', c)),
        ),
      ),
      { id },
    ),
  );
}

/** The chosen files as the import API takes them: one .xlsx raw, several (CSV) as Base64 JSON. */
async function uploadBody(files) {
  if (files.length === 1 && /\.xlsx$/i.test(files[0].name)) return files[0];
  const encoded = [];
  for (const f of files) {
    const bytes = new Uint8Array(await f.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    encoded.push({ name: f.name, data: btoa(bin) });
  }
  return { files: encoded };
}

export async function ebaPage(el) {
  const { available, types } = await api('GET', '/eba/available');
  if (!available) return void el.replaceChildren(note('info', t('err.EDGE_ERR_CONSOLE_SERVICE_MISSING'), ' (EBA)'));
  let type = types[0];
  let sheet = 'channels';
  const view = h('div#eba-view');
  const typeSelect = h(
    'select#eba-type',
    {
      'aria-label': t('eba.type'),
      onchange: () => {
        type = typeSelect.value;
        result.replaceChildren();
        void show(sheet);
      },
    },
    types.map((x) => h('option', { value: x }, TYPE_LABEL[x] ?? x)),
  );
  const tabs = SHEETS.map((s) => h('button.tab', { id: `eba-tab-${s}`, onclick: () => show(s) }, t(`eba.${s}`)));
  async function show(s) {
    sheet = s;
    for (const b of tabs) b.classList.toggle('active', b.id === `eba-tab-${s}`);
    view.replaceChildren(sheetTable(await api('GET', `/eba/${s}?type=${type}`), `eba-${s}`));
  }
  const file = h('input#eba-file', { type: 'file', accept: '.xlsx,.csv', multiple: true });
  const progress = h('progress#eba-progress', { max: 100, value: 0, hidden: true });
  const result = h('div#eba-result', { 'aria-live': 'polite' });

  function failure(job) {
    return h(
      'div.note.error',
      { role: 'alert' },
      t('eba.failed'),
      job.message ? ` ${job.message}` : '',
      ' ',
      h(
        'button#eba-report',
        {
          onclick: async () =>
            download(
              await (await api('GET', `/eba/import/${job.id}/report`, undefined, { raw: true })).blob(),
              `${type}-import-errors.csv`,
            ),
        },
        t('eba.report'),
      ),
      h(
        'div.scroll',
        table(
          [t('eba.sheet'), t('eba.row'), t('eba.column'), t('eba.value'), t('eba.message')],
          (job.errors ?? []).map((e) =>
            h(
              'tr',
              h('td', e.sheet),
              h('td.num', String(e.row)),
              h('td', e.column ?? ''),
              h('td', e.value ?? ''),
              h('td', ebaReason(e.message)),
            ),
          ),
          { id: 'eba-errors' },
        ),
      ),
    );
  }

  async function upload(checkOnly) {
    const files = [...(file.files ?? [])];
    if (!files.length) return void result.replaceChildren(note('error', t('eba.chooseFile')));
    result.replaceChildren(note('info', t(checkOnly ? 'eba.checking' : 'eba.importing')));
    progress.hidden = false;
    progress.value = 0;
    try {
      const { id } = await api('POST', `/eba/import?type=${type}${checkOnly ? '&check=yes' : ''}`, await uploadBody(files));
      for (;;) {
        await new Promise((r) => setTimeout(r, 300));
        const job = await api('GET', `/eba/import/${id}`);
        if (job.total) progress.value = Math.round((job.done / job.total) * 100);
        if (job.state === 'running') continue;
        progress.hidden = true;
        if (job.state === 'failed') return void result.replaceChildren(failure(job));
        const counts = SHEETS.map((s) => `${t(`eba.${s}`)} ${job.counts[s] ?? 0}`).join(' · ');
        result.replaceChildren(note('ok', t(checkOnly ? 'eba.checked' : 'eba.imported'), ' — ', counts));
        if (!checkOnly) await show(sheet);
        return;
      }
    } catch (err) {
      progress.hidden = true;
      result.replaceChildren(note('error', errorText(err)));
    }
  }
  const xlsx = async (path, name) => download(await (await api('GET', path, undefined, { raw: true })).blob(), name);
  el.replaceChildren(
    h(
      'section.card',
      h('h2', t('eba.title')),
      h('div.actions', h('label', t('eba.type'), ' ', typeSelect)),
      h(
        'div.actions',
        file,
        h('button#eba-check', { onclick: () => upload(true) }, t('eba.check')),
        h('button#eba-import', { onclick: () => upload(false) }, t('eba.import')),
      ),
      h(
        'div.actions',
        h('button#eba-export', { onclick: () => xlsx(`/eba/export?type=${type}`, `${type}-points.xlsx`) }, t('eba.export')),
        h(
          'button#eba-template',
          { onclick: () => xlsx(`/eba/export?type=${type}&template=yes`, `${type}-template.xlsx`) },
          t('eba.template'),
        ),
      ),
      progress,
      result,
      h('div.tabs', tabs),
      view,
    ),
  );
  await show('channels');
}
