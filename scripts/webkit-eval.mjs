// Runs JavaScript in the page inside Ward's desktop window, for
// scripts/desktop-smoke.sh: node webkit-eval.mjs PORT 'return document.title'
// prints what the function body returns (JSON) and exits 0, or says why not
// and exits 1. The window must have been started with
// WEBKIT_INSPECTOR_HTTP_SERVER=127.0.0.1:PORT, which makes WebKitGTK serve
// its remote inspector there (any WebKitGTK program does, in production
// builds too). The smoke test uses it only to read the page and to move
// focus and the page's address; what it tests is done with real X input
// (xdotool), so the window's own event handling runs.
//
// Node 20 needs --experimental-websocket for the WebSocket global.

const [port, body] = process.argv.slice(2);
if (!port || body === undefined) {
  console.error('usage: node webkit-eval.mjs PORT FUNCTION-BODY');
  process.exit(2);
}
// WebKit's Runtime.evaluate does not wait for promises: the body is synchronous.
const expression = `JSON.stringify((() => { ${body} })() ?? null)`;

function fail(why) {
  console.error(`webkit-eval: ${why}`);
  process.exit(1);
}
setTimeout(() => fail('no answer from the page within 10 s'), 10_000);

const ws = new WebSocket(`ws://127.0.0.1:${port}/socket/1/1/WebPage`);
let target = null;
ws.onerror = () => fail(`cannot reach the inspector at 127.0.0.1:${port}`);
ws.onmessage = (m) => {
  const msg = JSON.parse(String(m.data));
  // The page is a target of its own: messages to it go wrapped.
  if (msg.method === 'Target.targetCreated' && target === null) {
    target = msg.params.targetInfo.targetId;
    const inner = { id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true } };
    ws.send(JSON.stringify({ id: 1, method: 'Target.sendMessageToTarget', params: { targetId: target, message: JSON.stringify(inner) } }));
  }
  if (msg.method === 'Target.dispatchMessageFromTarget') {
    const inner = JSON.parse(msg.params.message);
    if (inner.id !== 1) return;
    const r = inner.result?.result;
    if (inner.error || inner.result?.wasThrown) fail(`the page threw: ${r?.description ?? JSON.stringify(inner.error)}`);
    console.log(r?.value ?? 'null');
    process.exit(0);
  }
};
