// Bars per category: options.x is the category column, options.y the value columns, or one y stacked by options.series.
import * as echarts from '/webjars/echarts/5.3.1/dist/echarts.esm.min.js';
import { chartElement, columnIndex, COLORS, formatValue, resizeWith } from '/panels/format.js';

export function createBarPanel(body, definition) {
  const el = chartElement(body, definition.title);
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  const stopResizing = resizeWith(el, chart);
  const unit = definition.options.unit;

  function build(state) {
    const x = columnIndex(state, definition.options.x);
    const categories = [];
    const seen = new Set();
    for (const row of state.rows) {
      const c = String(row[x]);
      if (!seen.has(c)) {
        seen.add(c);
        categories.push(c);
      }
    }
    let series;
    if (definition.options.series) {
      const y = columnIndex(state, definition.options.y[0]);
      const s = columnIndex(state, definition.options.series);
      const byName = new Map();
      for (const row of state.rows) {
        const name = String(row[s]);
        if (!byName.has(name)) {
          byName.set(name, new Map());
        }
        byName.get(name).set(String(row[x]), row[y]);
      }
      series = [...byName.entries()].map(([name, values]) => ({
        name, type: 'bar', stack: 'total', data: categories.map((c) => values.get(c) ?? null),
      }));
    } else {
      series = definition.options.y.map((name) => {
        const y = columnIndex(state, name);
        const values = new Map(state.rows.map((row) => [String(row[x]), row[y]]));
        return { name, type: 'bar', data: categories.map((c) => values.get(c) ?? null) };
      });
    }
    return { categories, series };
  }

  return {
    update(state) {
      const { categories, series } = build(state);
      chart.setOption({
        color: COLORS,
        animation: false,
        grid: { left: 56, right: 16, top: series.length > 1 ? 36 : 12, bottom: 28, containLabel: true },
        legend: { show: series.length > 1, type: 'scroll', top: 0 },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => formatValue(v, unit) },
        xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, hideOverlap: true } },
        yAxis: { type: 'value', axisLabel: { formatter: (v) => formatValue(v) } },
        series,
      }, { replaceMerge: ['series', 'xAxis'] });
      el.setAttribute('aria-label', `${definition.title}: ${categories.length} bars`);
    },
    resize() {
      chart.resize();
    },
    dispose() {
      stopResizing();
      chart.dispose();
    },
  };
}
