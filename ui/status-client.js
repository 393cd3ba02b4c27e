// The status page, live: it follows /events and redraws the banner and the list from the server at
// most once a second, so every string still comes escaped by the server's renderer. The browser's
// EventSource reconnects by itself and sends Last-Event-ID, so nothing missed while away is lost.
import { drawBars } from './uptime-bars.js';

const REFRESH_EVERY_MS = 1000;

const connection = document.getElementById('connection');
let refreshing = false;
let again = false;
let lastRefresh = 0;

/** Replaces the banner and the list with the server's current rendering of this same URL. */
async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  const wait = lastRefresh + REFRESH_EVERY_MS - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  try {
    const response = await fetch(`/ui/live${location.search}`, { credentials: 'same-origin' });
    if (response.ok) {
      // A <template>'s content is inert: parsed, never run, and it brings no head or style with it.
      const parsed = new DOMParser().parseFromString(await response.text(), 'text/html');
      const live = parsed.querySelector('template#live');
      if (live instanceof HTMLTemplateElement) {
        for (const id of ['banner', 'services']) {
          const current = document.getElementById(id);
          const fresh = live.content.getElementById(id);
          if (current && fresh) current.replaceWith(document.importNode(fresh, true));
        }
        document.title = live.dataset.title ?? document.title;
        drawBars();
      }
    }
  } catch {
    // The next event or reconnection tries again.
  } finally {
    lastRefresh = Date.now();
    refreshing = false;
    if (again) {
      again = false;
      void refresh();
    }
  }
}

drawBars();
// What the bench waits for: the bars are drawn and the page takes input.
performance.mark('ready');
document.documentElement.dataset.ready = 'true';

const events = new EventSource('/events');
for (const kind of ['transition', 'registered', 'deregistered']) events.addEventListener(kind, () => void refresh());
events.addEventListener('open', () => {
  if (connection && !connection.hidden) {
    connection.hidden = true;
    void refresh();
  }
});
events.addEventListener('error', () => {
  if (connection) connection.hidden = false;
});
