// Shared by the panel components: finding result columns and formatting their values.

const WHOLE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const FRACTION = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The index of a named column of a panel's result; throws when the result has no such column. */
export function columnIndex(state, name) {
  const i = state.columns.indexOf(name);
  if (i < 0) {
    throw new Error(`the result has no column '${name}'; it has: ${state.columns.join(', ')}`);
  }
  return i;
}

/** A number for display, with the panel's unit when it has one. */
export function formatValue(value, unit) {
  if (value === null || value === undefined) {
    return '–';
  }
  // Whole numbers stay whole; others get two decimals (amounts read 1,385.90, not 1,385.9).
  const text = typeof value === 'number' ? (Number.isInteger(value) ? WHOLE : FRACTION).format(value) : String(value);
  return unit ? `${text} ${unit}` : text;
}

/** A number with exactly two decimals, for columns in which any value has a fraction (amounts: 1,315.00 next to 1,209.80). */
export function formatDecimal(value) {
  return value === null || value === undefined ? '–' : FRACTION.format(value);
}

/** A storage timestamp (ISO text in UTC, with or without a zone) as milliseconds since the epoch. */
export function toMillis(value) {
  if (typeof value === 'number') {
    return value;
  }
  const text = String(value);
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(text) || !text.includes('T') ? text : text + 'Z';
  return Date.parse(zoned);
}

/** Creates the chart's element inside the panel body, labelled for screen readers. */
export function chartElement(body, title) {
  const el = document.createElement('div');
  el.className = 'chart';
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', title);
  body.append(el);
  return el;
}

/** Keeps a chart the size of its element. */
export function resizeWith(el, chart) {
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(el);
  return () => observer.disconnect();
}

/** The palette of every chart: distinguishable, and readable on white. */
export const COLORS = ['#1f5fbf', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#0b7285', '#5c940d', '#e67700', '#364fc7', '#a61e4d'];

/** Text for HTML that ECharts renders (tooltip formatters): values from storage never become markup. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
