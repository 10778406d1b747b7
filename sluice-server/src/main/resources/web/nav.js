// The top navigation of every page: Overview, and for one pipeline its Dashboards, Pipeline, Streams,
// Dead letters and Alerts pages.

const PIPELINE_PAGES = [
  ['dashboards', 'Dashboards', '/dashboard.html'],
  ['pipeline', 'Pipeline', '/pipeline.html'],
  ['streams', 'Streams', '/streams.html'],
  ['dead-letters', 'Dead letters', '/dead-letters.html'],
  ['alerts', 'Alerts', '/alerts.html'],
];

function link(text, href, active) {
  const a = document.createElement('a');
  a.textContent = text;
  a.href = href;
  if (active) {
    a.setAttribute('aria-current', 'page');
  }
  return a;
}

/**
 * Renders the navigation into the page's <header> (created when missing). activePage is one of 'overview',
 * 'dashboards', 'pipeline', 'streams', 'dead-letters', 'alerts'; pipelineName, when given, adds that pipeline's pages.
 */
export function renderNav(activePage, pipelineName) {
  let header = document.querySelector('body > header.sluice-header');
  if (!header) {
    header = document.createElement('header');
    header.className = 'sluice-header';
    document.body.prepend(header);
  }
  header.replaceChildren();
  const brand = document.createElement('a');
  brand.className = 'sluice-brand';
  brand.href = '/';
  brand.textContent = 'Sluice';
  header.append(brand);

  const nav = document.createElement('nav');
  nav.setAttribute('aria-label', 'Main');
  nav.append(link('Overview', '/', activePage === 'overview'));
  if (pipelineName) {
    const current = document.createElement('span');
    current.className = 'sluice-nav-pipeline';
    current.textContent = pipelineName;
    current.title = 'pipeline';
    nav.append(current);
    const query = '?pipeline=' + encodeURIComponent(pipelineName);
    for (const [key, text, path] of PIPELINE_PAGES) {
      nav.append(link(text, path + query, activePage === key));
    }
  }
  header.append(nav);
  return header;
}
