// One big number: options.value of the first row, with its trend against the second row (order the query newest first).
import { columnIndex, formatValue } from '/panels/format.js';

export function createStatPanel(body, definition) {
  const value = document.createElement('div');
  value.className = 'stat-value';
  const trend = document.createElement('div');
  trend.className = 'stat-trend';
  body.classList.add('stat-body');
  body.append(value, trend);

  return {
    update(state) {
      const i = columnIndex(state, definition.options.value);
      const current = state.rows.length > 0 ? state.rows[0][i] : null;
      const previous = state.rows.length > 1 ? state.rows[1][i] : null;
      value.textContent = formatValue(current);
      if (definition.options.unit && current !== null) {
        const unit = document.createElement('span');
        unit.className = 'stat-unit';
        unit.textContent = definition.options.unit;
        value.append(unit);
      }
      if (typeof current === 'number' && typeof previous === 'number' && previous !== 0) {
        const change = ((current - previous) / Math.abs(previous)) * 100;
        trend.textContent = `${change >= 0 ? '▲' : '▼'} ${Math.abs(change).toFixed(1)}% vs previous (${formatValue(previous, definition.options.unit)})`;
        trend.className = 'stat-trend ' + (change >= 0 ? 'up' : 'down');
      } else {
        trend.textContent = previous === null ? '' : `previous: ${formatValue(previous, definition.options.unit)}`;
        trend.className = 'stat-trend';
      }
    },
  };
}
