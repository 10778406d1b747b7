// A ranked list: options.label and options.value of the first options.limit rows (order the query by value).
import { columnIndex, formatValue } from '/panels/format.js';

export function createTopPanel(body, definition) {
  const list = document.createElement('ol');
  list.className = 'top-list';
  list.setAttribute('aria-label', definition.title);
  body.append(list);

  return {
    update(state) {
      const label = columnIndex(state, definition.options.label);
      const value = columnIndex(state, definition.options.value);
      const rows = state.rows.slice(0, definition.options.limit);
      const max = Math.max(0, ...rows.map((r) => Math.abs(Number(r[value]) || 0)));
      list.replaceChildren(...rows.map((row, k) => {
        const li = document.createElement('li');
        const rank = document.createElement('span');
        rank.className = 'rank';
        rank.textContent = String(k + 1);
        const name = document.createElement('span');
        name.textContent = row[label] === null ? '–' : String(row[label]);
        const bar = document.createElement('div');
        bar.className = 'bar';
        const fill = document.createElement('span');
        fill.style.width = (max > 0 ? (100 * Math.abs(Number(row[value]) || 0)) / max : 0) + '%';
        bar.append(fill);
        name.append(bar);
        const v = document.createElement('span');
        v.className = 'value';
        v.textContent = formatValue(row[value], definition.options.unit);
        li.append(rank, name, v);
        return li;
      }));
      if (rows.length === 0) {
        const li = document.createElement('li');
        li.className = 'muted';
        li.textContent = 'No rows yet.';
        list.append(li);
      }
    },
  };
}
