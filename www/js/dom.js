// Small DOM helpers shared by the page's modules.

/**
 * Creates an element: `h('button', { type: 'button', onclick }, 'Save')`.
 * Attributes starting with `on` become listeners; `dataset` and `hidden`
 * are set as properties; `null`/`false` attributes are skipped.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name === 'hidden' || name === 'checked' || name === 'value') element[name] = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** Replaces the children of `element`. */
export function fill(element, ...children) {
  element.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
}

/**
 * A table with a caption, header cells and rows of cells (strings or nodes);
 * `rowAttributes(index)` gives each row's attributes (an `id`, a `class`).
 */
export function table({ caption, columns, rows, className = 'data', rowAttributes = () => ({}) }) {
  return h('table', { class: className },
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col' }, column)))),
    h('tbody', {}, rows.map((cells, index) => h('tr', rowAttributes(index), cells.map((cell) => h('td', {}, cell))))));
}

/** A loading placeholder announced to screen readers. */
export function loading(what) {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), `Loading ${what}…`);
}

/** Shows `message` in a form's message slot (`kind`: "error" or "ok"); empty clears it. */
export function say(slot, message, kind = 'error') {
  slot.textContent = message;
  slot.dataset.kind = message ? kind : '';
}

/** Short, readable local time for an RFC 3339 timestamp. */
export function localTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
