// The page's stylesheet, sent in a nonce'd <style>: light and dark from prefers-color-scheme, readable
// at 375 px, and a visible focus ring for keyboard users.
export const STATUS_CSS = `
:root { color-scheme: light dark; --bg: #f6f7f9; --card: #fff; --text: #1b1f24; --muted: #57606a;
  --line: #d8dee4; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --unknown: #6e7781; --focus: #0969da; --none: #d0d7de; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --card: #161b22; --text: #e6edf3; --muted: #9da7b3; --line: #30363d;
    --ok: #3fb950; --warn: #d29922; --bad: #f85149; --unknown: #8b949e; --focus: #58a6ff; --none: #30363d; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
a { color: var(--focus); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
h1 { font-size: 1.4rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
.banner { border-radius: 8px; padding: 1rem; background: var(--card); border: 1px solid var(--line); border-left: 8px solid var(--unknown); }
.banner[data-overall="operational"] { border-left-color: var(--ok); }
.banner[data-overall="degraded"] { border-left-color: var(--warn); }
.banner[data-overall="partial_outage"], .banner[data-overall="major_outage"] { border-left-color: var(--bad); }
.banner strong { font-size: 1.2rem; }
.counts { margin: 0.25rem 0 0; color: var(--muted); }
form.filters { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 1rem 0; align-items: end; }
form.filters label { display: flex; flex-direction: column; font-size: 0.85rem; color: var(--muted); }
input, select, button { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--text); }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
th, td { text-align: left; padding: 0.5rem; border-top: 1px solid var(--line); vertical-align: top; }
th { font-size: 0.85rem; color: var(--muted); font-weight: 600; }
.health { font-weight: 600; white-space: nowrap; }
.health[data-health="healthy"] { color: var(--ok); }
.health[data-health="degraded"] { color: var(--warn); }
.health[data-health="unhealthy"], .health[data-health="dead"] { color: var(--bad); }
.health[data-health="unknown"] { color: var(--unknown); }
.muted { color: var(--muted); }
.connection { margin: 1rem 0 0; padding: 0.5rem 0.75rem; border-radius: 6px; border: 1px solid var(--warn); color: var(--warn); background: var(--card); }
.id, h1, h2, td, dd, caption { overflow-wrap: anywhere; }
nav.pages { display: flex; gap: 1rem; margin: 1rem 0; }
td.uptime { min-width: 16rem; }
.bar { display: flex; gap: 1px; height: 1.5rem; max-width: 24rem; }
.bar .day { flex: 1 1 0; min-width: 2px; border-radius: 1px; background: var(--none); }
.bar .day[data-level="ok"] { background: var(--ok); }
.bar .day[data-level="warn"] { background: var(--warn); }
.bar .day[data-level="bad"] { background: var(--bad); }
.bar .day:hover { opacity: 0.7; }
.figures { margin: 0.25rem 0 0; font-size: 0.85rem; color: var(--muted); }
.day-tip { position: absolute; z-index: 10; padding: 0.35rem 0.5rem; border-radius: 6px; font-size: 0.85rem;
  background: var(--text); color: var(--bg); pointer-events: none; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem; margin: 0; padding: 1rem;
  background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
dl.facts dt { color: var(--muted); }
ul.plain { list-style: none; margin: 0; padding: 0; }
.note { font-size: 0.85rem; color: var(--warn); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.chart { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 0.5rem; min-height: 300px; }
nav.ranges { display: flex; gap: 0.75rem; margin: 0.5rem 0; }
nav.ranges [aria-current] { font-weight: 700; color: var(--text); text-decoration: none; }
@media (max-width: 40rem) {
  thead { display: none; }
  table, tbody, tr, td { display: block; width: 100%; }
  tr { border-top: 1px solid var(--line); padding: 0.25rem 0; }
  td { border: 0; padding: 0.15rem 0.5rem; }
  td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: 0.85rem; }
  td.uptime { min-width: 0; }
  dl.facts { grid-template-columns: 1fr; }
}
`;
