// The console shell: session check, first-run setup, login, navigation and the page router.
import { t, getLang, setLang } from './i18n.js';
import { h, api, session, errorText, note, passwordHint, setAuthLostHandler } from './core.js';
import { dashboardPage } from './pages-box.js';
import { driversPage } from './pages-drivers.js';
import { maintenancePage } from './pages-maintenance.js';
import { devicesPage, devicePage } from './pages-devices.js';
import { accessPage } from './pages-areas.js';
import { ebaPage } from './pages-eba.js';
import { elevatorsPage } from './pages-elevators.js';
import { rulesPage } from './pages-rules.js';
import { appsPage } from './pages-apps.js';
import { camerasPage } from './pages-cameras.js';
import { trendPage, eventsPage } from './pages-history.js';
import { indicator, renderIndicator, startLive, stopLive } from './live.js';

const root = document.getElementById('app');
const PAGES = {
  dashboard: dashboardPage,
  drivers: driversPage,
  devices: devicesPage,
  device: devicePage,
  eba: ebaPage,
  access: accessPage,
  elevators: elevatorsPage,
  rules: rulesPage,
  apps: appsPage,
  cameras: camerasPage,
  maintenance: maintenancePage,
  trend: trendPage,
  events: eventsPage,
};
let cleanup = [];

// The setup token arrives in the URL fragment (#setup=…): keep it for this tab, then drop it from the address bar.
function takeSetupToken() {
  const m = location.hash.match(/^#setup=([A-Za-z0-9_-]+)/);
  if (m) {
    sessionStorage.setItem('pe.setup', m[1]);
    history.replaceState(null, '', '/#/dashboard');
  }
}

// The session ended under an open page: log in again, then come back to that page.
function reLogin() {
  if (!/^#\/(login)?$/.test(location.hash)) sessionStorage.setItem('pe.return', location.hash);
  session.user = null;
  session.csrf = null;
  stopLive();
  go('#/login');
}
setAuthLostHandler(reLogin);

function afterLogin() {
  const back = sessionStorage.getItem('pe.return');
  sessionStorage.removeItem('pe.return');
  go(back || '#/dashboard');
}

function go(hash) {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

async function loadSession() {
  Object.assign(session, await api('GET', '/session'));
}

function layout(active, content) {
  const nav = ['dashboard', 'drivers', 'devices', 'events', 'eba', 'access', 'cameras', 'elevators', 'rules', 'apps', 'maintenance'];
  return h(
    'div.shell',
    h(
      'header',
      h('strong.brand', t('app.title')),
      // Phones: the menu button shows the navigation (style.css hides it on wide screens).
      h(
        'button#menu-toggle',
        { 'aria-label': t('nav.menu'), onclick: (e) => e.currentTarget.closest('header').classList.toggle('open') },
        '☰',
      ),
      h('span.box#box-name', `${session.box} · v${session.version}`),
      h(
        'nav',
        nav.map((p) => h(`a${p === active ? '.active' : ''}`, { href: `#/${p}`, id: `nav-${p}` }, t(`nav.${p}`))),
      ),
      h('span.spacer'),
      indicator,
      h(
        'button.link#lang',
        {
          onclick: () => {
            setLang(getLang() === 'zh' ? 'en' : 'zh');
            void render();
          },
        },
        t('nav.lang'),
      ),
      h('span.user', session.user),
      h(
        'button.link#logout',
        {
          onclick: async () => {
            await api('POST', '/logout', {}).catch(() => {});
            session.user = null;
            session.csrf = null;
            stopLive();
            go('#/login');
          },
        },
        t('nav.logout'),
      ),
    ),
    h('main', content),
  );
}

function setupPage() {
  const token = sessionStorage.getItem('pe.setup');
  const msg = h('div#setup-msg');
  const pw = h('input#setup-password', { type: 'password', autocomplete: 'new-password', required: true });
  const pw2 = h('input#setup-password2', { type: 'password', autocomplete: 'new-password', required: true });
  const form = h(
    'form.card.narrow#setup-form',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        msg.replaceChildren();
        if (pw.value !== pw2.value) return msg.append(note('error', t('password.mismatch')));
        try {
          const r = await api('POST', '/setup', { token: token ?? '', password: pw.value });
          sessionStorage.removeItem('pe.setup');
          Object.assign(session, { user: r.user, csrf: r.csrf, setupRequired: false });
          go('#/dashboard');
        } catch (err) {
          msg.append(note('error', errorText(err)));
          if (err.problems)
            msg.append(
              h(
                'ul',
                err.problems.map((p) => h('li', t(p, { n: session.passwordMinLength }))),
              ),
            );
        }
      },
    },
    h('h1', t('setup.title')),
    h('p', t('setup.hint')),
    token ? null : note('error', t('setup.noToken')),
    h('label', t('login.username'), h('input', { value: 'admin', disabled: true })),
    h('label', t('password.new'), pw),
    passwordHint(pw, 'admin', 'setup-hint'),
    h('label', t('password.repeat'), pw2),
    h('button#setup-submit', { type: 'submit' }, t('setup.submit')),
    msg,
  );
  return h('div.center', langButton(), form);
}

function langButton() {
  return h(
    'button.link.corner#lang',
    {
      onclick: () => {
        setLang(getLang() === 'zh' ? 'en' : 'zh');
        void render();
      },
    },
    t('nav.lang'),
  );
}

function loginPage() {
  const msg = h('div#login-msg');
  const user = h('input#login-username', { value: 'admin', autocomplete: 'username', required: true });
  const pw = h('input#login-password', { type: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form.card.narrow#login-form',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        msg.replaceChildren();
        try {
          const r = await api('POST', '/login', { username: user.value, password: pw.value }, { quiet401: true });
          Object.assign(session, { user: r.user, csrf: r.csrf });
          afterLogin();
        } catch (err) {
          pw.value = '';
          const waiting =
            err.code === 'EDGE_ERR_CONSOLE_LOCKED' ? 'login.locked' : err.code === 'EDGE_ERR_CONSOLE_BUSY' ? 'login.busy' : null;
          msg.append(note('error', waiting ? t(waiting, { s: err.retryAfterS }) : errorText(err)));
          if (err.code === 'EDGE_ERR_CONSOLE_LOGIN_FAILED' && err.retryAfterS)
            msg.append(note('error', t('login.locked', { s: err.retryAfterS })));
        }
      },
    },
    h('h1', t('login.title')),
    h('label', t('login.username'), user),
    h('label', t('login.password'), pw),
    h('button#login-submit', { type: 'submit' }, t('login.submit')),
    msg,
  );
  return h('div.center', langButton(), form);
}

async function render() {
  for (const fn of cleanup) fn();
  cleanup = [];
  document.title = t('app.title');
  takeSetupToken();
  const [name = 'dashboard', ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  try {
    if (!session.user) await loadSession();
  } catch (err) {
    root.replaceChildren(note('error', errorText(err)));
    return;
  }
  if (session.setupRequired) return void root.replaceChildren(setupPage());
  if (!session.user || name === 'login') {
    if (session.user) return go('#/dashboard');
    if (name !== 'login' && location.hash) sessionStorage.setItem('pe.return', location.hash); // back there after login
    return void root.replaceChildren(loginPage());
  }
  startLive(session.bootId, reLogin);
  renderIndicator(); // in the page's language
  const page = PAGES[name] ?? dashboardPage;
  const content = h('div.page#page', note('info', t('common.loading')));
  root.replaceChildren(layout(name === 'device' || name === 'trend' ? 'devices' : name, content));
  try {
    await page(content, args, (fn) => cleanup.push(fn));
  } catch (err) {
    content.replaceChildren(note('error', errorText(err)));
  }
}

setLang(getLang());
// render() shows its own errors on the page.
window.addEventListener('hashchange', render);
void render();
