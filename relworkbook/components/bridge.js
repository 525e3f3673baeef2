// The kit's only browser-side code. It is tiny on purpose and loads no files,
// so it works offline and inside a council's intranet.
//  - tells the kernel the address the visitor really sees (Binder, proxies),
//  - keeps the address bar in step (a reload lands on the same screen),
//  - remembers personal resume links in this browser (localStorage),
//  - keeps unsaved answers in this tab (sessionStorage) so a reload does not lose them,
//  - sends a "tick" so a page can look for news while it is open,
//  - notices when the kernel has gone and says so (a banner; the page greyed),
//  - lets Enter in a form's text box press that form's main button.
// Every word it shows comes from the kernel (lost_words, reload_words).
const PREFIX = "relworkbook:";
const DRAFT_PREFIX = "relworkbook-draft:";
// A kernel that says it is busy (a facilitator's downloads being drawn) cannot answer at once;
// it is only taken as gone when even this long passes without an answer.
const BUSY_GRACE_MS = 90 * 1000;

function stored(storage, prefix) {
  const found = {};
  try {
    const place = window[storage];
    for (let i = 0; i < place.length; i++) {
      const key = place.key(i);
      if (key && key.startsWith(prefix)) found[key.slice(prefix.length)] = place.getItem(key);
    }
  } catch (e) { /* private browsing or storage refused: nothing remembered, nothing breaks */ }
  return found;
}

// Enter in a one-line box of a form (.rw-enter-form) presses its main button (.rw-submit).
// Listened for while the event travels down (capture): ipywidgets' text boxes stop it on its
// way up. Leaving the box first makes it send its value (continuous_update=False sends on
// "change"), and the click's message follows it on the same socket, so nothing is lost.
function enterSubmits(event) {
  if (event.key !== "Enter" || event.isComposing || event.shiftKey) return;
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.type === "radio" || box.type === "checkbox") return;
  const form = box.closest(".rw-enter-form");
  const button = form && form.querySelector("button.rw-submit");
  if (button && !button.disabled) {
    event.preventDefault();
    box.blur();
    button.click();
  }
}

// The page's kernel connection, where the widget manager offers it (Voila and JupyterLab do).
function kernelOf(model) {
  try {
    const manager = model.widget_manager;
    return (manager && manager.kernel) || null;
  } catch (e) {
    return null;
  }
}

// Watches the line to the kernel. Signs that it has gone:
//  - the kernel says it is shutting down (a "shutdown_reply" on its broadcast channel: a cull,
//    an admin, the server stopping) or its status is "dead": at once;
//  - the kernel connection says it is not connected (the socket closed: a restarted server,
//    the network) for longer than lost_after_seconds;
//  - a "ping" has had no "pong" for that long (a kernel that died without a word).
// Any of them shows the banner and greys the page; a "pong" (the network came back) takes them away.
// The banner hangs from the document's body: the widgets sit in boxes that scroll and hold
// "fixed" things inside them, and the banner must stay in view wherever the person has scrolled.
function watchConnection(model, el) {
  const banner = document.createElement("div");
  banner.className = "rw-connection";
  banner.setAttribute("role", "alert");  // announced at once when it appears
  let lost = false;
  let gone = false;  // the kernel said it was shutting down: no answer can come back
  let waitingSince = null;  // when the oldest unanswered ping was sent
  let offlineSince = null;  // when the connection stopped saying "connected"
  let lastPing = 0;
  let count = 0;
  const greyed = new Set();

  const connected = () => {
    const kernel = kernelOf(model);
    return !kernel || !kernel.connectionStatus || kernel.connectionStatus === "connected";
  };
  const ping = () => {
    lastPing = Date.now();
    if (waitingSince === null) waitingSince = lastPing;
    count += 1;
    try { model.send({ ping: count }); } catch (e) { /* the check below decides */ }
  };
  const grey = () => {
    const page = el.closest(".rw-shell");
    if (!page) return;
    page.classList.add("rw-lost");
    for (const part of page.children) {
      if (part.contains(el) || greyed.has(part)) continue;
      part.inert = true;  // no clicks, no typing, no focus: nothing can look saved
      part.classList.add("rw-off");
      greyed.add(part);
    }
  };
  const showLost = () => {
    if (!lost) {
      lost = true;
      const words = document.createElement("p");
      words.textContent = model.get("lost_words") || "";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "rw-reload";
      button.textContent = model.get("reload_words") || "\u21bb";
      button.addEventListener("click", () => window.location.reload());
      banner.replaceChildren(words, button);
      banner.classList.add("rw-connection-lost");
      document.body.append(banner);
    }
    grey();  // again each check: parts drawn since are greyed too
  };
  const showFound = () => {
    if (!lost || gone) return;
    lost = false;
    banner.remove();
    banner.replaceChildren();
    banner.classList.remove("rw-connection-lost");
    const page = el.closest(".rw-shell");
    if (page) page.classList.remove("rw-lost");
    for (const part of greyed) {
      part.inert = false;
      part.classList.remove("rw-off");
    }
    greyed.clear();
  };
  const onMessage = (content) => {
    if (content && content.pong !== undefined) {
      waitingSince = null;
      showFound();
    }
  };
  model.on("msg:custom", onMessage);
  // The kernel's own goodbye, broadcast to every page connected to it.
  const kernel = kernelOf(model);
  const onBroadcast = (_sender, message) => {
    const kind = message && message.header && message.header.msg_type;
    if (kind === "shutdown_reply") {
      gone = true;
      showLost();
    }
  };
  const broadcasts = kernel && kernel.iopubMessage;
  if (broadcasts && broadcasts.connect) broadcasts.connect(onBroadcast);

  const check = () => {
    const now = Date.now();
    const limit = Math.max(1, Number(model.get("lost_after_seconds")) || 4) * 1000;
    const every = Math.max(1, Number(model.get("heartbeat_seconds")) || 3) * 1000;
    const current = kernelOf(model);
    if (connected()) {
      if (offlineSince !== null) {  // back: ask at once rather than wait for the next beat
        offlineSince = null;
        waitingSince = null;
        ping();
      }
    } else if (offlineSince === null) {
      offlineSince = now;
    }
    const busy = current && current.status === "busy";
    const dead = current && current.status === "dead";
    const unanswered = waitingSince !== null && now - waitingSince > (busy ? BUSY_GRACE_MS : limit);
    const away = offlineSince !== null && now - offlineSince > limit;
    if (gone || dead || unanswered || away) showLost();
    if (connected() && now - lastPing >= every) ping();
  };
  // Back from a locked phone, another tab or a dropped network: ask now, and only count
  // the time from now (timers sleep with the page, so an old wait means nothing).
  const askNow = () => {
    if (document.visibilityState === "hidden") return;
    waitingSince = null;
    ping();
  };
  document.addEventListener("visibilitychange", askNow);
  window.addEventListener("online", askNow);
  window.addEventListener("pageshow", askNow);
  const timer = setInterval(check, 1000);
  ping();
  return () => {
    clearInterval(timer);
    model.off("msg:custom", onMessage);
    if (broadcasts && broadcasts.disconnect) broadcasts.disconnect(onBroadcast);
    document.removeEventListener("visibilitychange", askNow);
    window.removeEventListener("online", askNow);
    window.removeEventListener("pageshow", askNow);
    banner.remove();
  };
}

function render({ model, el }) {
  if (!window.__relworkbookEnter) {
    window.__relworkbookEnter = true;
    document.addEventListener("keydown", enterSubmits, true);
  }
  el.style.display = "none";
  el.classList.add("rw-bridge");
  model.set("href", window.location.href);
  model.set("recalled", stored("localStorage", PREFIX));
  model.set("drafts", stored("sessionStorage", DRAFT_PREFIX));
  model.save_changes();

  const applyQuery = () => {
    const query = model.get("replace_query");
    if (!query) return;  // "" means: leave the address as it is
    const url = new URL(window.location.href);
    url.search = query === "?" ? "" : query;  // "?" means: no query at all
    window.history.replaceState(null, "", url.toString());
    model.set("href", url.toString());
    model.save_changes();
  };
  const applyMemory = () => {
    const memory = model.get("remember") || {};
    try {
      for (const [key, value] of Object.entries(memory)) {
        if (value === null || value === "") window.localStorage.removeItem(PREFIX + key);
        else window.localStorage.setItem(PREFIX + key, value);
      }
    } catch (e) { /* storage refused: the personal link on screen still works */ }
  };
  // Drafts live in this tab only (sessionStorage): another tab, or the tab closed, and they are gone.
  const applyDrafts = () => {
    const drafts = model.get("keep") || {};
    try {
      for (const [key, value] of Object.entries(drafts)) {
        if (value === null || value === "") window.sessionStorage.removeItem(DRAFT_PREFIX + key);
        else window.sessionStorage.setItem(DRAFT_PREFIX + key, value);
      }
    } catch (e) { /* storage refused or full: the page works, a reload just loses the draft */ }
  };
  model.on("change:replace_query", applyQuery);
  model.on("change:remember", applyMemory);
  model.on("change:keep", applyDrafts);
  applyQuery();
  applyMemory();
  applyDrafts();

  // The screen can change after the page has loaded (a facilitator starts a
  // workshop), so the timer follows tick_seconds rather than reading it once.
  // No ticks while the line is down: they would only pile up and arrive at once.
  let timer = null;
  const schedule = () => {
    if (timer) clearInterval(timer);
    const seconds = model.get("tick_seconds");
    timer = seconds > 0 ? setInterval(() => {
      const kernel = kernelOf(model);
      if (!kernel || !kernel.connectionStatus || kernel.connectionStatus === "connected") model.send({ tick: Date.now() });
    }, seconds * 1000) : null;
  };
  model.on("change:tick_seconds", schedule);
  schedule();
  const stopWatching = watchConnection(model, el);
  return () => {
    if (timer) clearInterval(timer);
    stopWatching();
  };
}

export default { render };
