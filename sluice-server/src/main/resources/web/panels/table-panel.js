// The rows of the result as a table, every column in query order.
import { formatDecimal, formatValue } from '/panels/format.js';

const TIMESTAMP = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z?$/;

/**
 * A cell's text: numbers formatted; timestamps (UTC, like the stored values) as "05:24:09" when they are of today
 * (UTC) and "2026-11-28 05:24:09" otherwise.
 */
function cellText(value, numeric, fractional) {
  if (numeric) {
    return fractional ? formatDecimal(value) : formatValue(value);
  }
  if (value === null) {
    return '–';
  }
  const m = TIMESTAMP.exec(String(value));
  if (!m) {
    return String(value);
  }
  return m[1] === new Date().toISOString().slice(0, 10) ? m[2] : `${m[1]} ${m[2]}`;
}

export function createTablePanel(body, definition) {
  body.classList.add('scroll');
  const table = document.createElement('table');
  table.className = 'data';
  const caption = document.createElement('caption');
  caption.className = 'muted';
  caption.style.textAlign = 'left';
  const head = document.createElement('thead');
  const rows = document.createElement('tbody');
  table.append(caption, head, rows);
  body.append(table);
  body.tabIndex = 0;
  body.setAttribute('aria-label', definition.title + ' (scrollable table)');

  return {
    update(state) {
      const numeric = state.columns.map((_, i) => state.rows.length > 0 && state.rows.every((r) => r[i] === null || typeof r[i] === 'number'));
      const fractional = state.columns.map((_, i) => numeric[i] && state.rows.some((r) => typeof r[i] === 'number' && !Number.isInteger(r[i])));
      const tr = document.createElement('tr');
      state.columns.forEach((c, i) => {
        const th = document.createElement('th');
        th.scope = 'col';
        th.textContent = c;
        if (numeric[i]) {
          th.className = 'num';
        }
        tr.append(th);
      });
      head.replaceChildren(tr);
      rows.replaceChildren(...state.rows.map((row) => {
        const r = document.createElement('tr');
        row.forEach((v, i) => {
          const td = document.createElement('td');
          td.textContent = cellText(v, numeric[i], fractional[i]);
          if (numeric[i]) {
            td.className = 'num';
          } else if (v !== null && TIMESTAMP.test(String(v))) {
            td.className = 'time';
          }
          r.append(td);
        });
        return r;
      }));
      caption.textContent = state.rows.length === 0 ? 'No rows yet.' : '';
    },
  };
}
