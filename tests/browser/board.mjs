// The waiting-room board in the system's headless Chromium: it goes live, shows a call sent
// through the gateway within seconds, and says when its data was last fresh once the
// stream stops. Run by tests/integration/test_board_browser.py (environment below).
import { chromium } from "playwright-core";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const gateway = env("GATEWAY_URL");
const office = env("BOARD_OFFICE", "mpp-medan");
const token = env("GATEWAY_TOKEN");
const gatewayPid = Number(env("GATEWAY_PID"));
const screenshot = env("BOARD_SCREENSHOT");
const ticket = env("BOARD_TICKET", "A012");
const seconds = Number(env("BOARD_TIMEOUT", "10")) * 1000;

const now = () => new Date().toISOString();
const uuid = () => crypto.randomUUID();
const event = (type, fields) => ({ event_id: uuid(), type, occurred_at: now(), office, ...fields });

async function send(events) {
  const reply = await fetch(`${gateway}/v1/events`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(events),
  });
  if (reply.status !== 202) throw new Error(`gateway answered ${reply.status}: ${await reply.text()}`);
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const result = {};
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const external = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(gateway)) external.push(request.url());
  });
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`${gateway}/board/${office}`);
  await page.waitForSelector("body.live .call.newest", { timeout: seconds });
  result.live_title = await page.title();

  // Busy hour: three counters open, citizens waiting for several services.
  const queue = [["ktp-el", "A", 7], ["kartu-keluarga", "K", 4], ["paspor", "S", 2]];
  await send([
    ...["loket-01", "loket-02", "loket-03"].map((counter) => event("counter.opened", { counter })),
    ...queue.flatMap(([service, letter, count]) =>
      Array.from({ length: count }, (_, i) =>
        event("ticket.issued", { ticket: `${letter}${String(900 + i)}`, service }))),
    event("ticket.issued", { ticket, service: "ktp-el" }),
  ]);
  await page.waitForSelector('tr[data-service="ktp-el"] td.count:not(.none)', { timeout: seconds });

  const sent = Date.now();
  await send([event("ticket.called", { ticket, counter: "loket-03" })]);
  await page.waitForSelector(`.call.newest[data-ticket="${ticket}"]`, { timeout: seconds });
  result.shown_after_ms = Date.now() - sent;
  result.newest = (await page.textContent(".call.newest")).replace(/\s+/g, " ").trim();
  result.queues = await page.$$eval("#queues tr", (rows) =>
    rows.map((row) => [...row.children].map((cell) => cell.textContent)));
  await page.waitForTimeout(3200); // the newest call's highlight settles
  await page.screenshot({ path: screenshot });

  // The stream stops: the board must say so, with the time its data was last fresh.
  process.kill(gatewayPid, "SIGTERM");
  await page.waitForSelector("body.stale", { timeout: seconds });
  result.stale_text = (await page.textContent("#state-text")).trim();
  result.external_requests = external;
  result.page_errors = errors;
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
