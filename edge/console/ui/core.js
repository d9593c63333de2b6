// Small helpers shared by every page: element builder, API client, formatting.
import { t, MESSAGES } from './i18n.js';
import { configHint, configMessage, plainReason } from './plain.js';

/** h('div.cls#id', {attr}, ...children) — children may be strings, nodes, arrays or null. */
export function h(spec, attrs, ...children) {
  const [tagAndClasses, id] = spec.split('#');
  const [tag, ...classes] = tagAndClasses.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (id) el.id = id;
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** Replace an element's children; null/false children are skipped (replaceChildren would print "null"). */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const session = { user: null, csrf: null, box: '', version: '', bootId: null, setupRequired: false, passwordMinLength: 10 };

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.problems = body?.error?.problems;
    this.retryAfterS = body?.error?.retryAfterS;
  }
}

let onAuthLost = () => {};
export function setAuthLostHandler(fn) {
  onAuthLost = fn;
}

/** Call the console API. `body` may be an object (JSON) or a Blob/ArrayBuffer (raw upload). */
export async function api(method, path, body, opts = {}) {
  const headers = {};
  let payload;
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    headers['content-type'] = 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && session.csrf) headers['x-csrf-token'] = session.csrf;
  const res = await fetch(`/api${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  if (opts.raw && res.ok) return res;
  const json = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  if (!res.ok) {
    const err = new ApiError(res.status, json);
    if (res.status === 401 && !opts.quiet401) onAuthLost();
    throw err;
  }
  return json;
}

/** A translated message for an API error (problems listed by the caller). */
export function errorText(err) {
  if (err instanceof ApiError && err.code) {
    const key = `err.${err.code}`;
    const translated = t(key);
    if (translated === key) return err.message;
    // The server's message only when it adds something: problems are listed by the caller, and a
    // message that is the code's own text would only repeat it ("当前密码错误：the current password is wrong").
    if (err.problems || err.message.toLowerCase() === MESSAGES.en[key]?.toLowerCase()) return translated;
    return `${translated}：${plainReason(err.message)}`;
  }
  return plainReason(err?.message ?? err);
}

/**
 * Ask before an action that changes or resets something: a modal dialog in the page (no
 * window.confirm, which a browser may suppress), resolved true only by the confirm button.
 */
export function confirmAction(message, goLabel) {
  return new Promise((resolve) => {
    const dialog = h(
      'dialog#confirm',
      h('h2', t('confirm.title')),
      h('p#confirm-text', message),
      h(
        'div.actions',
        h('button#confirm-go', { onclick: () => dialog.close('go') }, goLabel),
        h('button.secondary#confirm-cancel', { onclick: () => dialog.close('cancel') }, t('common.cancel')),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'go');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function fmtTime(ms) {
  if (!ms) return '—';
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function fmtDuration(s) {
  const d = Math.floor(s / 86400),
    hh = Math.floor((s % 86400) / 3600),
    mm = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${hh}h ${mm}m` : hh ? `${hh}h ${mm}m` : `${mm}m ${s % 60}s`;
}

export function fmtValue(v) {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** A message line: kind is 'ok' | 'error' | 'info'. */
/**
 * A live strength hint under a new-password input. Only a guide: the server's policy decides
 * (it also knows the list of common passwords, which the UI does not ship).
 */
export function passwordHint(input, username, id) {
  const el = h(`p.hint#${id}`, { 'aria-live': 'polite' });
  const update = () => {
    const pw = input.value;
    const min = session.passwordMinLength || 10;
    const length = [...pw].length;
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(pw)).length;
    let level = 'weak';
    if (length >= min && pw.toLowerCase() !== username.toLowerCase())
      level = length >= 16 || (length >= 12 && classes >= 3) ? 'strong' : 'fair';
    el.className = `hint ${level}`;
    el.textContent = pw ? `${t(`password.strength.${level}`)} · ${t('password.rules', { n: min })}` : t('password.rules', { n: min });
  };
  input.addEventListener('input', update);
  update();
  return el;
}

export function note(kind, ...text) {
  return h(`p.note.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, ...text);
}

export function table(headers, rows, attrs) {
  return h(
    'table',
    attrs,
    h(
      'thead',
      h(
        'tr',
        headers.map((x) => h('th', x)),
      ),
    ),
    h('tbody', rows),
  );
}

/** Show a list of config problems {path, message, hint}. */
export function problemList(problems) {
  return h(
    'ul.problems',
    problems.map((p) =>
      h('li', h('code', p.path), ' ', configMessage(p.message), p.hint ? h('span.hint', ` — ${configHint(p.hint)}`) : null),
    ),
  );
}

export function download(blob, name) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}
