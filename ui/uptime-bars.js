// The 90-day bars: each `.bar[data-days]` becomes one cell per day. A bar is one tab stop; the arrow
// keys, Home and End move between its days. Hovering or focusing a day shows its date, uptime and
// transitions in one shared tooltip; the same words are the cell's accessible name.
const DAY_MS = 86_400_000;

/** `9995` (basis points) → `99.95%`, cut like the server's figures. */
function percent(basisPoints) {
  const whole = Math.floor(basisPoints / 100);
  const hundredths = basisPoints % 100;
  if (hundredths === 0) return `${whole}%`;
  return `${whole}.${String(hundredths).padStart(2, '0').replace(/0$/, '')}%`;
}

function level(basisPoints) {
  if (basisPoints === null) return 'none';
  if (basisPoints >= 9990) return 'ok';
  if (basisPoints >= 9500) return 'warn';
  return 'bad';
}

function describe(date, basisPoints, transitions) {
  const uptime = basisPoints === null ? 'no data' : `${percent(basisPoints)} up`;
  const changes =
    transitions === null ? 'transitions no longer kept' : `${transitions} transition${transitions === 1 ? '' : 's'}`;
  return `${date}: ${uptime}, ${changes}`;
}

function parseDays(bar) {
  const start = Date.parse(`${bar.dataset.start}T00:00:00Z`);
  const entries = (bar.dataset.days ?? '').split(',').filter((entry) => entry !== '');
  return entries.map((entry, index) => {
    const [uptime = '', transitions = ''] = entry.split(':');
    return {
      date: new Date(start + index * DAY_MS).toISOString().slice(0, 10),
      basisPoints: uptime === '' ? null : Number(uptime),
      transitions: transitions === '' ? null : Number(transitions),
    };
  });
}

function showTip(cell) {
  const tip = document.getElementById('day-tip');
  if (!tip) return;
  tip.textContent = cell.getAttribute('aria-label');
  tip.hidden = false;
  const box = cell.getBoundingClientRect();
  const width = tip.offsetWidth;
  const left = Math.min(
    Math.max(4, box.left + box.width / 2 - width / 2),
    document.documentElement.clientWidth - width - 4,
  );
  tip.style.left = `${left + window.scrollX}px`;
  tip.style.top = `${box.bottom + window.scrollY + 6}px`;
}

function hideTip() {
  const tip = document.getElementById('day-tip');
  if (tip) tip.hidden = true;
}

function onKey(event) {
  const cell = event.target;
  if (!(cell instanceof HTMLElement) || !cell.classList.contains('day')) return;
  const cells = [...cell.parentElement.children];
  const index = cells.indexOf(cell);
  const next = {
    ArrowLeft: index - 1,
    ArrowRight: index + 1,
    Home: 0,
    End: cells.length - 1,
  }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const target = cells[Math.max(0, Math.min(cells.length - 1, next))];
  cell.tabIndex = -1;
  target.tabIndex = 0;
  target.focus();
}

/** Draws every bar under `root` not drawn yet. */
export function drawBars(root = document) {
  for (const bar of root.querySelectorAll('.bar[data-days]:not([data-drawn])')) {
    const days = parseDays(bar);
    const cells = days.map((day, index) => {
      const cell = document.createElement('span');
      cell.className = 'day';
      cell.setAttribute('role', 'img');
      cell.setAttribute('aria-label', describe(day.date, day.basisPoints, day.transitions));
      cell.dataset.level = level(day.basisPoints);
      // The newest day is the bar's one tab stop.
      cell.tabIndex = index === days.length - 1 ? 0 : -1;
      return cell;
    });
    bar.replaceChildren(...cells);
    bar.dataset.drawn = '';
  }
}

for (const [kind, handler] of [
  ['mouseover', (event) => event.target.classList?.contains('day') && showTip(event.target)],
  ['focusin', (event) => event.target.classList?.contains('day') && showTip(event.target)],
  ['mouseout', (event) => event.target.classList?.contains('day') && hideTip()],
  ['focusout', (event) => event.target.classList?.contains('day') && hideTip()],
  ['keydown', onKey],
]) {
  document.addEventListener(kind, handler);
}
