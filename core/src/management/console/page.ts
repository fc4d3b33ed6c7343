/** The console's HTML: a shell the script fills; no inline script or style (the CSP forbids both). */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Switchyard console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console.css">
<script src="/console.js" defer></script>
</head>
<body>
<header>
  <h1>Switchyard <span id="cluster"></span></h1>
  <p id="arbiter" class="muted"></p>
  <p id="live" class="badge off" role="status">connecting…</p>
</header>
<main>
  <section aria-labelledby="nodes-h">
    <h2 id="nodes-h">Nodes</h2>
    <div id="nodes" class="cards"></div>
  </section>
  <section aria-labelledby="ops-h" class="panel">
    <h2 id="ops-h">Operator</h2>
    <form id="auth" autocomplete="off">
      <label for="token">Management token</label>
      <input id="token" name="token" type="password" spellcheck="false" placeholder="contents of management.token">
    </form>
    <p class="muted">The token stays in this tab's memory; it is sent only with the requests below (and with reads when the API asks for it).</p>
    <form id="switchover">
      <label for="reason">Switchover reason</label>
      <input id="reason" name="reason" type="text" maxlength="200" placeholder="maintenance">
      <button id="switchover-button" type="submit">Switch over</button>
    </form>
    <p id="message" role="alert"></p>
  </section>
  <section aria-labelledby="alarms-h">
    <h2 id="alarms-h">Active alarms</h2>
    <p id="no-alarms" class="muted">No active alarm.</p>
    <table id="alarms"><thead><tr><th>Severity</th><th>Alarm</th><th>Node</th><th>Count</th><th>Last</th><th>Message</th><th></th></tr></thead><tbody></tbody></table>
  </section>
  <section aria-labelledby="history-h">
    <h2 id="history-h">Switchover history</h2>
    <p id="no-history" class="muted">No switchover recorded.</p>
    <table id="history"><thead><tr><th>Time (UTC)</th><th>Term</th><th>From</th><th>To</th><th>By</th><th>Gap</th><th>Reason</th></tr></thead><tbody></tbody></table>
  </section>
</main>
</body>
</html>
`;
