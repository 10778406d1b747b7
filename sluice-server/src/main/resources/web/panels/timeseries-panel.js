// Lines over time: options.x is a time column, options.y one or more value columns, or one y split by options.series.
import * as echarts from '/webjars/echarts/5.3.1/dist/echarts.esm.min.js';
import { chartElement, columnIndex, COLORS, formatValue, resizeWith, toMillis } from '/panels/format.js';

export function createTimeseriesPanel(body, definition) {
  const el = chartElement(body, definition.title);
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  const stopResizing = resizeWith(el, chart);
  const unit = definition.options.unit;

  function seriesOf(state) {
    const x = columnIndex(state, definition.options.x);
    const ys = definition.options.y.map((c) => columnIndex(state, c));
    const lines = new Map();
    if (definition.options.series) {
      const s = columnIndex(state, definition.options.series);
      for (const row of state.rows) {
        const name = String(row[s]);
        if (!lines.has(name)) {
          lines.set(name, []);
        }
        lines.get(name).push([toMillis(row[x]), row[ys[0]]]);
      }
    } else {
      definition.options.y.forEach((name, k) => {
        lines.set(name, state.rows.map((row) => [toMillis(row[x]), row[ys[k]]]));
      });
    }
    return [...lines.entries()].map(([name, data]) => ({
      name,
      type: 'line',
      showSymbol: data.length < 40,
      data: data.sort((a, b) => a[0] - b[0]),
    }));
  }

  return {
    update(state) {
      const series = seriesOf(state);
      chart.setOption({
        color: COLORS,
        animation: false,
        grid: { left: 56, right: 16, top: series.length > 1 ? 36 : 12, bottom: 28 },
        legend: { show: series.length > 1, type: 'scroll', top: 0 },
        tooltip: { trigger: 'axis', valueFormatter: (v) => formatValue(v, unit) },
        xAxis: { type: 'time', axisLabel: { hideOverlap: true } },
        yAxis: { type: 'value', scale: false, axisLabel: { formatter: (v) => formatValue(v) } },
        series,
      }, { replaceMerge: ['series'] });
      el.setAttribute('aria-label', `${definition.title}: ${series.length} line(s), ${state.rows.length} points`);
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
