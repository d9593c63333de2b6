// The step between a form and a deploy: the daemon's check of the new config (problems next to
// their fields, the rest listed), the line diff of old and new config, then the deploy itself.
import { t } from './i18n.js';
import { h, api, note, errorText, fill } from './core.js';
import { configHint, configMessage } from './plain.js';

const CONTEXT = 3; // unchanged lines shown around a change

/** The diff as lines, unchanged runs longer than the context folded into "…". */
export function diffView(diff) {
  const near = diff.map(() => false);
  diff.forEach(([op], i) => {
    if (op === ' ') return;
    for (let k = Math.max(0, i - CONTEXT); k <= Math.min(diff.length - 1, i + CONTEXT); k++) near[k] = true;
  });
  const lines = [];
  let folded = false;
  diff.forEach(([op, text], i) => {
    if (!near[i]) {
      if (!folded) lines.push(h('span.diff-fold', '…'));
      folded = true;
      return;
    }
    folded = false;
    lines.push(h(`span.${op === '+' ? 'diff-add' : op === '-' ? 'diff-del' : 'diff-same'}`, `${op} ${text}`));
  });
  return h('pre.diff#form-diff', lines);
}

const problemItem = (p) =>
  h('li', p.path ? h('code', p.path) : null, ' ', configMessage(p.message), p.hint ? h('span.hint', ` — ${configHint(p.hint)}`) : null);

/**
 * `show(edit, index, form)`: previews one driver edit; `form` (optional) takes the problems of
 * driver `index` onto its fields and hands back the others. Deploy sends the previewed text.
 */
export function previewPanel(onDeployed) {
  const el = h('div#form-preview');
  let form = null;
  const listProblems = (problems, index) => {
    const rest = form ? form.mark(problems, index) : problems;
    return [
      note('error', t('forms.problems', { n: problems.length })),
      rest.length ? h('div#form-other-problems', form ? t('forms.otherProblems') : null, h('ul.problems', rest.map(problemItem))) : null,
    ];
  };
  async function deploy(preview, index, button) {
    button.disabled = true;
    try {
      // `base`: refused if someone changed the config since this preview (the diff shown would be wrong).
      const r = await api('POST', '/config/redeploy', { text: preview.text, base: preview.base });
      const list = (xs) => xs.join(', ') || '—';
      fill(
        el,
        note(
          'ok',
          t('forms.deployed', {
            added: list(r.diff.added),
            removed: list(r.diff.removed),
            restarted: list(r.diff.restarted),
            devices: list(r.diff.devicesChanged ?? []),
          }),
        ),
      );
      form = null;
      await onDeployed();
    } catch (err) {
      button.disabled = false;
      // Refused at deploy (the config changed meanwhile, or a check only the deploy makes).
      el.append(...(err.problems ? listProblems(err.problems, index) : [note('error', errorText(err))]));
    }
  }
  async function show(edit, index, withForm = null) {
    form = withForm;
    fill(el, note('info', t('common.loading')));
    let r;
    try {
      r = await api('POST', '/config/forms/preview', edit);
    } catch (err) {
      fill(el, note('error', errorText(err)));
      return;
    }
    const changed = r.diff.some(([op]) => op !== ' ');
    const errors = r.problems.filter((p) => !p.advisory);
    const deployButton = h('button#form-deploy', { onclick: () => deploy(r, index, deployButton) }, t('forms.deploy'));
    fill(
      el,
      h('h3', t('forms.diff')),
      changed ? diffView(r.diff) : h('p.muted', t('forms.diffNone')),
      errors.length ? listProblems(errors, index) : [note('ok', t('forms.ok')), form?.mark([], index) && null],
      r.problems.some((p) => p.advisory) ? h('ul.problems.advisories', r.problems.filter((p) => p.advisory).map(problemItem)) : null,
      errors.length === 0 && changed ? h('div.actions', deployButton) : null,
    );
    el.scrollIntoView({ block: 'nearest' });
  }
  return { el, show, clear: () => fill(el) };
}
