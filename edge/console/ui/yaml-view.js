// The YAML expert view: the config textarea with a line-number gutter and a backdrop that marks the
// lines the check has problems on, both moved with the text as it scrolls (no editor library).
import { t } from './i18n.js';
import { h, fill } from './core.js';

const LINE_PX = 18; // forms.css: .yaml-editor line-height
const PAD_PX = 4;

let cssLoaded = false;
/** The stylesheet of the forms and this view, added once. */
export function loadFormsCss() {
  if (cssLoaded) return;
  cssLoaded = true;
  document.head.append(h('link', { rel: 'stylesheet', href: '/ui/forms.css' }));
}

/** Wraps `textarea` in the view; `mark(problems)` marks each problem's `line`, `goTo(line)` selects one. */
export function lineEditor(textarea) {
  loadFormsCss();
  textarea.setAttribute('wrap', 'off');
  const numbers = h('div');
  const marks = h('div.yaml-marks');
  const el = h('div.yaml-editor', h('div.yaml-gutter#config-gutter', numbers), h('div.yaml-body', marks, textarea));
  let bad = new Map();
  let drawn = -1;
  function draw(force = false) {
    const count = textarea.value.split('\n').length;
    if (count === drawn && !force) return;
    drawn = count;
    const line = (n, withNumber) => {
      const message = bad.get(n);
      return h(message ? 'div.bad' : 'div', { 'data-line': n, title: message }, withNumber ? String(n) : '');
    };
    fill(
      numbers,
      Array.from({ length: count }, (_, i) => line(i + 1, true)),
    );
    const last = Math.max(0, ...bad.keys());
    fill(
      marks,
      Array.from({ length: last }, (_, i) => line(i + 1, false)),
    );
  }
  function sync() {
    numbers.style.transform = `translateY(${-textarea.scrollTop}px)`;
    marks.style.transform = `translate(${-textarea.scrollLeft}px, ${-textarea.scrollTop}px)`;
  }
  textarea.addEventListener('input', () => draw());
  textarea.addEventListener('scroll', sync);
  draw();
  return {
    el,
    mark(problems) {
      bad = new Map();
      for (const p of problems) if (p.line) bad.set(p.line, [bad.get(p.line), p.message].filter(Boolean).join('\n'));
      draw(true);
      // The first problem's line in sight (without taking the focus from the button).
      const first = Math.min(...bad.keys());
      const top = (first - 1) * LINE_PX;
      if (Number.isFinite(first) && (top < textarea.scrollTop || top > textarea.scrollTop + textarea.clientHeight - LINE_PX))
        textarea.scrollTop = Math.max(0, top - textarea.clientHeight / 3);
      sync();
    },
    goTo(line) {
      const lines = textarea.value.split('\n');
      const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
      textarea.focus();
      textarea.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
      textarea.scrollTop = Math.max(0, (line - 1) * LINE_PX + PAD_PX - textarea.clientHeight / 3);
      sync();
    },
  };
}

/** Config problems {path, message, hint, line}: each with a button that selects its line. */
export function lineProblemList(problems, goTo) {
  return h(
    'ul.problems.yaml-problems',
    problems.map((p) =>
      h(
        'li',
        p.line
          ? h('button.link', { type: 'button', 'data-goto': p.line, onclick: () => goTo(p.line) }, t('yaml.line', { n: p.line }))
          : null,
        ' ',
        h('code', p.path),
        ' ',
        p.message,
        p.hint ? h('span.hint', ` — ${p.hint}`) : null,
      ),
    ),
  );
}
