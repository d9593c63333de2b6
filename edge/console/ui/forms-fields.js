// Form fields generated from a driver's settings schema (JSON Schema from TypeBox, with `zh` descriptions):
// a select for enums, a checkbox for booleans, a number input, a text input, JSON for lists and mappings.
import { t, getLang } from './i18n.js';
import { h } from './core.js';

const isEnum = (s) => Array.isArray(s.anyOf) && s.anyOf.length > 0 && s.anyOf.every((a) => a.const !== undefined);
function kindOf(s) {
  if (isEnum(s)) return 'enum';
  if (s.type === 'boolean') return 'bool';
  if (s.type === 'integer' || s.type === 'number') return 'number';
  // TextId: text, or a whole number written unquoted in YAML; the form keeps it as text.
  if (s.type === 'string' || (Array.isArray(s.anyOf) && s.anyOf.some((a) => a.type === 'string'))) return 'text';
  return 'json';
}

/** The field's explanation in the page's language. */
const describe = (s) => (getLang() === 'zh' ? (s.zh ?? s.description) : (s.description ?? s.zh)) ?? '';

/**
 * One input per schema property; `value` is the object as written in the config. `read()` gives
 * the object back: keys written before stay, a default left untouched is not written out (the
 * config stays as short as the installer would write it), an emptied field is dropped.
 * `mark(key, message)` shows a check's problem under the field; false when no field has the key.
 */
export function settingsFields(schema, value, idPrefix) {
  const props = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  const original = { ...(value ?? {}) };
  const fields = new Map();
  const el = h('div.fields');
  for (const [key, s] of Object.entries(props)) {
    const f = field(key, s, original[key], `${idPrefix}-${key}`, required.has(key) && s.default === undefined);
    fields.set(key, f);
    el.append(f.wrap);
  }
  function read() {
    // Keys the schema does not know are kept: the check names them, the form does not drop them silently.
    const out = Object.fromEntries(Object.entries(original).filter(([k]) => !fields.has(k)));
    for (const [key, f] of fields) {
      const v = f.get();
      if (v === undefined) continue;
      const written = Object.hasOwn(original, key);
      if (!written && JSON.stringify(v) === JSON.stringify(props[key].default ?? (f.kind === 'bool' ? false : undefined))) continue;
      out[key] = v;
    }
    return out;
  }
  function clearMarks() {
    for (const f of fields.values()) f.mark(null);
  }
  return {
    el,
    read,
    clearMarks,
    has: (key) => fields.has(key),
    set: (key, v) => fields.get(key)?.set(v),
    current: (key) => fields.get(key)?.get(),
    mark: (key, message) => {
      const f = fields.get(key);
      if (f) f.mark(message);
      return Boolean(f);
    },
  };
}

function field(key, s, value, id, required) {
  const kind = kindOf(s);
  const problem = h('div.field-problem', { id: `${id}-problem`, role: 'alert' });
  const def = s.default !== undefined ? t('forms.default', { v: JSON.stringify(s.default) }) : required ? t('forms.required') : '';
  let input;
  if (kind === 'enum') {
    input = h(
      'select',
      { id },
      h('option', { value: '' }, s.default !== undefined ? t('forms.default', { v: s.default }) : t('forms.choose')),
      s.anyOf.map((a) => h('option', { value: JSON.stringify(a.const) }, String(a.const))),
    );
  } else if (kind === 'bool') input = h('input', { id, type: 'checkbox' });
  else if (kind === 'number')
    input = h('input', { id, type: 'number', inputmode: 'numeric', min: s.minimum, max: s.maximum, placeholder: s.default ?? '' });
  else if (kind === 'text') input = h('input', { id, placeholder: s.default ?? '', autocomplete: 'off' });
  else
    input = h('textarea.json', { id, rows: 3, spellcheck: 'false', placeholder: s.default !== undefined ? JSON.stringify(s.default) : '' });
  const set = (v) => {
    if (kind === 'bool') input.checked = v === undefined ? s.default === true : v === true;
    else if (kind === 'enum') input.value = v === undefined ? '' : JSON.stringify(v);
    else if (kind === 'json') input.value = v === undefined ? '' : JSON.stringify(v, null, 1);
    else input.value = v === undefined ? '' : String(v);
  };
  const get = () => {
    if (kind === 'bool') return input.checked;
    const raw = input.value.trim();
    if (raw === '') return undefined; // an empty field is not 0 nor ""
    if (kind === 'enum') return JSON.parse(raw);
    if (kind === 'number') return Number(raw);
    if (kind === 'text') return raw;
    try {
      return JSON.parse(raw);
    } catch {
      throw Object.assign(new Error(t('forms.jsonInvalid')), { field: input, mark: () => mark(t('forms.jsonInvalid')) });
    }
  };
  const wrap = h(
    `label.field.${kind}`,
    { for: id },
    h('span.field-name', h('code', key), required ? h('span.req', ' *') : null),
    kind === 'bool' ? input : null,
    h('span.field-desc', describe(s), def ? h('span.hint', ` (${def})`) : null),
    kind === 'bool' ? null : input,
    problem,
  );
  function mark(message) {
    wrap.classList.toggle('bad', Boolean(message));
    problem.textContent = message ?? '';
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  set(value);
  return { wrap, kind, get, set, mark };
}
