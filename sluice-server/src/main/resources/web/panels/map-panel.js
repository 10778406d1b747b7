// Points by longitude and latitude (options.lon, options.lat), on plain axes: no map tiles are fetched from anywhere.
// options.label names a point in its tooltip; options.value sizes it.
import * as echarts from '/webjars/echarts/5.3.1/dist/echarts.esm.min.js';
import { chartElement, columnIndex, COLORS, escapeHtml, formatValue, resizeWith } from '/panels/format.js';

export function createMapPanel(body, definition) {
  const el = chartElement(body, definition.title);
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  const stopResizing = resizeWith(el, chart);
  const o = definition.options;

  return {
    update(state) {
      const lat = columnIndex(state, o.lat);
      const lon = columnIndex(state, o.lon);
      const label = o.label ? columnIndex(state, o.label) : -1;
      const value = o.value ? columnIndex(state, o.value) : -1;
      let max = 0;
      if (value >= 0) {
        for (const row of state.rows) {
          max = Math.max(max, Math.abs(Number(row[value]) || 0));
        }
      }
      const data = state.rows.map((row) => ({
        value: [row[lon], row[lat], value >= 0 ? row[value] : null],
        name: label >= 0 ? String(row[label]) : '',
      }));
      chart.setOption({
        color: COLORS,
        animation: false,
        grid: { left: 48, right: 16, top: 12, bottom: 36 },
        tooltip: {
          trigger: 'item',
          formatter: (p) => `${p.name ? escapeHtml(p.name) + '<br>' : ''}lat ${escapeHtml(formatValue(p.value[1]))}, lon ${escapeHtml(formatValue(p.value[0]))}`
            + (value >= 0 ? `<br>${escapeHtml(o.value)}: ${escapeHtml(formatValue(p.value[2]))}` : ''),
        },
        xAxis: { type: 'value', name: 'longitude', nameLocation: 'middle', nameGap: 22, scale: true },
        yAxis: { type: 'value', name: 'latitude', scale: true },
        series: [{
          type: 'scatter',
          data,
          symbolSize: (v) => (value >= 0 && max > 0 ? 6 + 14 * Math.abs(Number(v[2]) || 0) / max : 9),
        }],
      }, { replaceMerge: ['series'] });
      el.setAttribute('aria-label', `${definition.title}: ${data.length} points`);
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
