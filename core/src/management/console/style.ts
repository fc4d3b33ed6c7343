/** The console's style sheet: system fonts only, one column on a phone. */
export const CONSOLE_CSS = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #c62828; --warn: #b26a00; --muted: #6b7280; --line: #8884; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { padding: 12px 16px; border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 17px; margin: 20px 0 8px; }
main { padding: 0 16px 24px; max-width: 1100px; }
.muted { color: var(--muted); margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.card h3 { margin: 0 0 8px; font-size: 17px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.card dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.card dt { color: var(--muted); }
.card dd { margin: 0; overflow-wrap: anywhere; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 13px; font-weight: 600; border: 1px solid currentColor; margin: 0; }
.primary { color: var(--ok); }
.backup { color: var(--muted); }
.on { color: var(--ok); }
.off, .down, .critical, .major { color: var(--bad); }
.unavailable, .unresponsive, .minor { color: var(--warn); }
.panel { border: 1px solid var(--line); border-radius: 8px; padding: 4px 12px 12px; margin-top: 16px; }
form { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
label { min-width: 150px; }
input { flex: 1 1 200px; font: inherit; padding: 6px 8px; }
button { font: inherit; padding: 6px 14px; cursor: pointer; }
#message { min-height: 1.4em; margin: 4px 0 0; overflow-wrap: anywhere; }
#message.error { color: var(--bad); }
#message.ok { color: var(--ok); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
table:not(.filled) { display: none; }
@media (max-width: 640px) {
  thead { display: none; }
  tr { display: block; border-bottom: 1px solid var(--line); padding: 6px 0; }
  td { display: inline-block; border: 0; padding: 2px 6px; }
}
`;
