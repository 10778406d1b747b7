// Posts the API key once; the server answers with an HttpOnly session cookie and the page returns to where it came from.
import { renderNav } from '/nav.js';
import { postJson } from '/api.js';

function nextPage() {
  const next = new URLSearchParams(window.location.search).get('next') || '/';
  // Only a path of this server, never another origin.
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

renderNav('login');
document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = document.getElementById('error');
  try {
    await postJson('/api/v1/session', { key: document.getElementById('key').value });
    window.location.assign(nextPage());
  } catch (e) {
    error.textContent = e.status === 401 ? 'The server does not accept this key.' : 'Cannot log in: ' + e.message;
    error.hidden = false;
  }
});
// The form sends the key as JSON from here on (tests wait for this before they submit).
document.getElementById('login').dataset.ready = 'true';
