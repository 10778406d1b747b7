// Dead letters and late events of a pipeline: counts per reason, records per minute by source (ECharts) and the
// newest records, filtered by source and reason. Read with the pipeline's read-only query endpoint.
import { renderNav } from './nav.js';
import { postJson } from './api.js';

const pipeline = new URLSearchParams(window.location.search).get('pipeline');
const number = new Intl.NumberFormat('en-US');
let chart = null;

function showError(text) {
  const box = document.getElementById('error');
  box.textContent = text;
  box.hidden = !text;
}

function literal(text) {
  return "'" + text.replaceAll("'", "''") + "'";
}

function where() {
  const conditions = [];
  const source = document.getElementById('source').value;
  const reason = document.getElementById('reason').value.trim();
  if (source) {
    conditions.push('source = ' + literal(source));
  }
  if (reason) {
    conditions.push("reason ILIKE " + literal('%' + reason.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_') + '%') + " ESCAPE '\\'");
  }
  return conditions.length ? ' WHERE ' + conditions.join(' AND ') : '';
}

async function query(sql) {
  return postJson(`/api/v1/pipelines/${encodeURIComponent(pipeline)}/query`, { sql });
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  row.append(td);
}

async function loadSources() {
  const select = document.getElementById('source');
  const seen = new Set();
  for (const table of ['dead_letters', 'late_events']) {
    const answer = await query(`SELECT DISTINCT source FROM ${table} ORDER BY source`);
    answer.rows.forEach((r) => seen.add(r[0]));
  }
  for (const source of [...seen].sort()) {
    const option = document.createElement('option');
    option.value = source;
    option.textContent = source;
    select.append(option);
  }
}

function renderChart(rows) {
  if (!chart) {
    chart = window.echarts.init(document.getElementById('chart'));
    window.addEventListener('resize', () => chart.resize());
  }
  const minutes = [...new Set(rows.map((r) => r[0]))].sort();
  const sources = [...new Set(rows.map((r) => r[1]))].sort();
  const series = sources.map((source) => ({
    name: source,
    type: 'bar',
    stack: 'all',
    data: minutes.map((m) => {
      const row = rows.find((r) => r[0] === m && r[1] === source);
      return row ? Number(row[2]) : 0;
    }),
  }));
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 32, bottom: 32 },
    xAxis: { type: 'category', data: minutes.map((m) => String(m).replace('T', ' ').slice(0, 16)) },
    yAxis: { type: 'value', minInterval: 1 },
    series,
  }, { notMerge: true });
}

async function show() {
  showError('');
  const table = document.getElementById('kind').value;
  const filter = where();
  try {
    const [reasons, perMinute, rows] = await Promise.all([
      query(`SELECT reason, count(*) AS records FROM ${table}${filter} GROUP BY reason ORDER BY records DESC, reason LIMIT 50`),
      query(`SELECT strftime(date_trunc('minute', kafka_timestamp), '%Y-%m-%dT%H:%M') AS minute, source, count(*) AS records`
        + ` FROM ${table}${filter} GROUP BY 1, 2 ORDER BY 1, 2`),
      query(`SELECT kafka_timestamp, source, kafka_partition, kafka_offset, reason, record_value FROM ${table}${filter}`
        + ` ORDER BY kafka_timestamp DESC, kafka_offset DESC LIMIT 200`),
    ]);
    const reasonBody = document.getElementById('reasons');
    reasonBody.replaceChildren();
    for (const [reason, records] of reasons.rows) {
      const row = document.createElement('tr');
      cell(row, reason, 'value');
      cell(row, number.format(records), 'num');
      reasonBody.append(row);
    }
    if (reasons.rows.length === 0) {
      const row = document.createElement('tr');
      cell(row, 'none');
      cell(row, '0', 'num');
      reasonBody.append(row);
    }
    renderChart(perMinute.rows);
    const body = document.getElementById('rows');
    body.replaceChildren();
    for (const r of rows.rows) {
      const row = document.createElement('tr');
      cell(row, String(r[0]).replace('T', ' '), 'nowrap');
      cell(row, r[1]);
      cell(row, String(r[2]), 'num');
      cell(row, String(r[3]), 'num');
      cell(row, r[4], 'value');
      cell(row, r[5] === null ? 'null' : String(r[5]).slice(0, 2000), 'value');
      body.append(row);
    }
    document.getElementById('shown').textContent = `(${rows.rows.length} shown, newest first)`;
  } catch (e) {
    showError(e.message);
  }
}

async function start() {
  renderNav('dead-letters', pipeline);
  if (!pipeline) {
    showError('Name a pipeline: dead-letters.html?pipeline=NAME');
    return;
  }
  document.getElementById('name').textContent = pipeline;
  document.getElementById('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    show();
  });
  document.getElementById('kind').addEventListener('change', show);
  document.getElementById('source').addEventListener('change', show);
  try {
    await loadSources();
  } catch (e) {
    showError(e.message);
  }
  await show();
}

start();
