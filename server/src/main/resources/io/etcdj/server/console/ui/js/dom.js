// Small DOM helpers. Text always goes in through textContent, never innerHTML: keys and values are untrusted.

/** An element with attributes (class, data-*, ...), event handlers (on: {click: fn}) and children. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') {
      for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    } else if (k === 'text') {
      e.textContent = v;
    } else {
      e.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export const $ = (id) => document.getElementById(id);

export function show(e, visible = true) { e.hidden = !visible; }

/** A message at the top of the page (an error in red); empty text hides it. */
export function message(text, isError = false) {
  const m = $('message');
  m.textContent = text || '';
  m.classList.toggle('error', isError);
  m.hidden = !text;
}

/** Asks the user to confirm; resolves true on Confirm. */
export function confirmAction(text) {
  const d = $('confirm');
  $('confirm-text').textContent = text;
  return new Promise((resolve) => {
    d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true });
    d.showModal();
  });
}

/** Definition list rows from [label, value] pairs. */
export function facts(dl, pairs) {
  dl.replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
}

export function bytesText(n) {
  n = Number(n);
  if (n < 1024) return n + ' B';
  if (n < 1 << 20) return (n / 1024).toFixed(1) + ' KiB';
  if (n < 1 << 30) return (n / (1 << 20)).toFixed(1) + ' MiB';
  return (n / (1 << 30)).toFixed(2) + ' GiB';
}
