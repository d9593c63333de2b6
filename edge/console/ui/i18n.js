// Lookup of the console's messages: Chinese by default, English available. The messages live in
// one file per area (msg-<area>.js, each `export default { zh: {...}, en: {...} }`); keys are
// shared with the server's error codes (err.<CODE>) so refusals read in the user's language.
import access from './msg-access.js';
import app from './msg-app.js';
import box from './msg-box.js';
import checks from './msg-checks.js';
import codes from './msg-codes.js';
import devices from './msg-devices.js';
import eba from './msg-eba.js';
import errors from './msg-errors.js';
import forms from './msg-forms.js';
import history from './msg-history.js';
import rules from './msg-rules.js';

// To add an area: import its file above and list it here (a key must live in one area only).
const AREAS = [access, app, box, checks, codes, devices, eba, errors, forms, history, rules];

export const MESSAGES = { zh: {}, en: {} };
for (const area of AREAS) {
  Object.assign(MESSAGES.zh, area.zh);
  Object.assign(MESSAGES.en, area.en);
}

// Guarded so the catalogue also loads outside a browser (unit tests of the plain-language helpers).
const storage = globalThis.localStorage;
let lang = storage?.getItem('pe.lang') === 'en' ? 'en' : 'zh';

export function getLang() {
  return lang;
}
export function setLang(l) {
  lang = l === 'en' ? 'en' : 'zh';
  storage?.setItem('pe.lang', lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}
/** The key's text in the current language (Chinese, then the key itself, when a text is missing). */
export function t(key, vars) {
  const s = MESSAGES[lang][key] ?? MESSAGES.zh[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? '')) : s;
}
/** Whether the catalogue has a text for the key (so a caller can fall back to the raw value). */
export function has(key) {
  return key in MESSAGES.zh;
}
