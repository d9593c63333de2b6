// Drivers and devices edited with forms generated from each driver's settings schema (loaded only
// on the drivers page): the drivers of the config with edit, enable/disable and remove; one form
// per driver with its devices; every change checked and previewed as a diff before it is deployed.
import { t } from './i18n.js';
import { h, api, table, fill } from './core.js';
import { settingsFields } from './forms-fields.js';
import { previewPanel } from './forms-preview.js';
import { discoverPanel, foundToDevice } from './forms-discover.js';
import { loadFormsCss } from './yaml-view.js';
import { configHint, configMessage } from './plain.js';

/** The drivers card with its forms; `onDeployed` refreshes the rest of the page, `reload` this card after a deploy from elsewhere. */
export async function driverForms(onDeployed, runningDrivers) {
  loadFormsCss();
  const listBox = h('div.scroll');
  const editor = h('div#driver-form-box');
  let data = null;
  const preview = previewPanel(async () => {
    fill(editor);
    await reload();
    await onDeployed();
  });
  async function reload() {
    data = await api('GET', '/config/forms');
    fill(
      listBox,
      table(
        [t('drivers.name'), t('forms.type'), t('forms.devices'), ''],
        data.drivers.map((d, i) => driverRow(d, i)),
        { id: 'forms-drivers' },
      ),
    );
  }
  const driverRow = (d, i) => {
    const devices = d.devices ?? [];
    const on = devices.filter((x) => !x.disabled).length;
    // Only what a form edits: keys like heapMb stay in the file as they are.
    const toggled = {
      name: d.name,
      type: d.type,
      module: d.module,
      config: d.config,
      devices: devices.map((x) => ({ ...x, disabled: on > 0 ? true : undefined })),
    };
    return h(
      'tr',
      { 'data-form-driver': d.name },
      h('td', d.name),
      h('td', d.type ?? d.module ?? ''),
      h('td', t('forms.deviceCount', { on, all: devices.length })),
      h(
        'td.row-actions',
        h('button.small', { type: 'button', 'data-edit': d.name, onclick: () => openForm(d, i) }, t('forms.edit')),
        devices.length
          ? h(
              'button.small.tab',
              { type: 'button', 'data-toggle': d.name, onclick: () => preview.show({ of: d.name, driver: toggled }, i) },
              t(on > 0 ? 'forms.disableAll' : 'forms.enableAll'),
            )
          : null,
        h(
          'button.small.warn',
          {
            type: 'button',
            'data-remove': d.name,
            onclick: () => {
              if (confirm(t('forms.confirmRemove', { name: d.name, n: devices.length }))) void preview.show({ of: d.name }, i);
            },
          },
          t('forms.remove'),
        ),
      ),
    );
  };
  function openForm(d, index) {
    preview.clear();
    const form = driverForm(
      d,
      index,
      data,
      runningDrivers(),
      (edit, i, f) => preview.show(edit, i, f),
      () => {
        fill(editor);
        preview.clear();
      },
    );
    fill(editor, form.el);
    form.el.scrollIntoView({ block: 'start' });
  }
  await reload();
  const el = h(
    'section.card#driver-forms',
    h('h2', t('forms.title')),
    h('p.muted', t('forms.hint')),
    listBox,
    h('div.actions', h('button#driver-add', { type: 'button', onclick: () => openForm(null, data.drivers.length) }, t('forms.addDriver'))),
    editor,
    preview.el,
  );
  return { el, reload };
}

/** One driver's form: type, name, its settings, its devices; `submit(edit, index, form)` previews it. */
function driverForm(d, index, data, running, submit, cancel) {
  const el = h('form.driver-form#driver-form', { onsubmit: (e) => e.preventDefault() });
  const typeSelect = h(
    'select#drv-type',
    { disabled: d !== null },
    h('option', { value: '' }, t('forms.choose')),
    data.types.map((x) => h('option', { value: x.type }, x.type)),
  );
  typeSelect.value = d?.type ?? '';
  const name = h('input#drv-name', { value: d?.name ?? '', autocomplete: 'off', placeholder: 'Vendor_Model_Domain_Function' });
  const nameProblem = h('div.field-problem#drv-name-problem', { role: 'alert' });
  const typeProblem = h('div.field-problem#drv-type-problem', { role: 'alert' });
  const configProblem = h('div.field-problem#drv-config-problem', { role: 'alert' });
  const body = h('div');
  let config = null;
  let rows = [];
  let serial = 0;
  const typeOf = () => data.types.find((x) => x.type === typeSelect.value);

  function render() {
    const type = typeOf();
    rows = [];
    if (!type && !d?.module) return void fill(body);
    config = settingsFields(type?.config, d?.config, 'drv-config');
    const deviceList = h('div.device-list#drv-devices');
    const addDevice = (dev) => {
      const row = deviceRow(dev, serial++, type, data.products, (r) => {
        rows = rows.filter((x) => x !== r);
        r.el.remove();
      });
      rows.push(row);
      deviceList.append(row.el);
      return row;
    };
    for (const dev of d?.type === typeSelect.value || d?.module ? (d?.devices ?? []) : []) addDevice(dev);
    const onFound = (found) => {
      const r = foundToDevice(type.type, found, config.read());
      if (r.channels) config.set('channels', r.channels);
      const row = addDevice({ productKey: type.products?.length === 1 ? type.products[0] : '', ...r.device });
      row.el.scrollIntoView({ block: 'nearest' });
      return r.device.deviceName;
    };
    fill(
      body,
      h('h3', t('forms.config')),
      configProblem,
      config.el,
      h('h3', t('forms.devices')),
      deviceList,
      h(
        'div.actions',
        h('button.small#dev-add', { type: 'button', onclick: () => addDevice({ productKey: '', deviceName: '' }) }, t('forms.addDevice')),
      ),
      d && type && running.includes(d.name) ? discoverPanel(d.name, type.type, onFound) : d ? h('p.muted', t('forms.notDeployed')) : null,
    );
  }
  typeSelect.addEventListener('change', render);
  render();

  function read() {
    const type = typeOf();
    return {
      name: name.value.trim(),
      ...(type ? { type: type.type } : d?.module ? { module: d.module } : {}),
      config: config ? config.read() : {},
      devices: rows.map((r) => r.read()),
    };
  }
  // Problems of this driver go next to their fields; the others are handed back to be listed.
  function mark(problems, at) {
    const prefix = `/drivers/${at}`;
    for (const p of [nameProblem, typeProblem, configProblem]) p.textContent = '';
    config?.clearMarks();
    for (const r of rows) r.clearMarks();
    return problems.filter((p) => {
      const text = p.hint ? `${configMessage(p.message)} — ${configHint(p.hint)}` : configMessage(p.message);
      if (p.path !== prefix && !p.path.startsWith(`${prefix}/`)) return true;
      const [head, key, ...rest] = p.path.slice(prefix.length + 1).split('/');
      if (head === 'name') return void (nameProblem.textContent = text);
      if (head === 'type' || head === 'module') return void (typeProblem.textContent = text);
      if (head === 'config' && !key) return void (configProblem.textContent = text);
      if (head === 'config') return !config?.mark(key, text);
      const row = head === 'devices' ? rows[Number(key)] : undefined;
      return row ? !row.mark(rest, text) : true;
    });
  }
  const formApi = { el, read, mark };
  fill(
    el,
    h('h3', d ? t('forms.editDriver', { name: d.name }) : t('forms.newDriver')),
    h('label', t('forms.type'), typeSelect, typeProblem),
    h('label', t('forms.name'), h('span.hint', ` (${t('forms.nameHint')})`), name, nameProblem),
    body,
    h(
      'div.actions',
      h(
        'button#form-check',
        {
          type: 'button',
          onclick: () => {
            try {
              void submit({ ...(d ? { of: d.name } : {}), driver: read() }, index, formApi);
            } catch (err) {
              err.mark?.(); // a JSON field that does not parse: shown on it, nothing sent
              err.field?.focus();
            }
          },
        },
        t('forms.preview'),
      ),
      h('button.tab#form-cancel', { type: 'button', onclick: cancel }, t('forms.cancel')),
    ),
  );
  return formApi;
}

/** One device of the form: product, name, alias, enabled, and its custom settings. */
function deviceRow(dev, n, type, allProducts, remove) {
  const id = `dev-${n}`;
  const products = type?.products ?? allProducts;
  const product = h(
    `select#${id}-productKey`,
    h('option', { value: '' }, t('forms.choose')),
    products.map((p) => h('option', { value: p }, p)),
  );
  product.value = dev.productKey ?? '';
  const deviceName = h(`input#${id}-deviceName`, { value: dev.deviceName ?? '', autocomplete: 'off' });
  const alias = h(`input#${id}-alias`, { value: dev.alias ?? '', autocomplete: 'off' });
  const enabled = h(`input#${id}-enabled`, { type: 'checkbox' });
  enabled.checked = !dev.disabled;
  const custom = settingsFields(type?.device, dev.custom, `${id}-custom`);
  const problems = { productKey: h('div.field-problem'), deviceName: h('div.field-problem'), alias: h('div.field-problem') };
  const general = h(`div.field-problem#${id}-problem`, { role: 'alert' });
  const row = {
    el: null,
    read: () => ({
      productKey: product.value,
      deviceName: deviceName.value.trim(),
      ...(alias.value.trim() ? { alias: alias.value.trim() } : {}),
      ...(enabled.checked ? {} : { disabled: true }),
      custom: custom.read(),
    }),
    clearMarks: () => {
      for (const p of [...Object.values(problems), general]) p.textContent = '';
      custom.clearMarks();
    },
    mark: ([key, sub], text) => {
      if (problems[key]) problems[key].textContent = text;
      else if (key === 'custom' && sub && custom.mark(sub, text)) return true;
      else general.textContent = text;
      return true;
    },
  };
  row.el = h(
    'fieldset.device-row',
    { id, 'data-device-row': String(n) },
    h('legend', t('forms.device', { n: n + 1 })),
    h('div.device-main', [
      h('label', t('forms.productKey'), product, problems.productKey),
      h('label', t('forms.deviceName'), deviceName, problems.deviceName),
      h('label', t('forms.alias'), alias, problems.alias),
      h('label.check', enabled, ` ${t('forms.enabled')}`),
    ]),
    general,
    h('details.custom', { open: true }, h('summary', t('forms.custom')), custom.el),
    h('button.small.warn', { type: 'button', id: `${id}-remove`, onclick: () => remove(row) }, t('forms.removeDevice')),
  );
  return row;
}
