// The kit's only browser-side code. It is tiny on purpose and loads no files,
// so it works offline and inside a council's intranet.
//  - tells the kernel the address the visitor really sees (Binder, proxies),
//  - keeps the address bar in step (a reload lands on the same screen),
//  - remembers personal resume links in this browser (localStorage),
//  - sends a "tick" so a page can look for news while it is open,
//  - lets Enter in a form's text box press that form's main button.
const PREFIX = "relworkbook:";

function recall() {
  const found = {};
  try {
    for (let i = 0; i < window.localStorage.length; i++) {
      const key = window.localStorage.key(i);
      if (key && key.startsWith(PREFIX)) found[key.slice(PREFIX.length)] = window.localStorage.getItem(key);
    }
  } catch (e) { /* private browsing: nothing remembered, nothing breaks */ }
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

function render({ model, el }) {
  if (!window.__relworkbookEnter) {
    window.__relworkbookEnter = true;
    document.addEventListener("keydown", enterSubmits, true);
  }
  el.style.display = "none";
  model.set("href", window.location.href);
  model.set("recalled", recall());
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
  model.on("change:replace_query", applyQuery);
  model.on("change:remember", applyMemory);
  applyQuery();
  applyMemory();

  // The screen can change after the page has loaded (a facilitator starts a
  // workshop), so the timer follows tick_seconds rather than reading it once.
  let timer = null;
  const schedule = () => {
    if (timer) clearInterval(timer);
    const seconds = model.get("tick_seconds");
    timer = seconds > 0 ? setInterval(() => model.send({ tick: Date.now() }), seconds * 1000) : null;
  };
  model.on("change:tick_seconds", schedule);
  schedule();
  return () => { if (timer) clearInterval(timer); };
}

export default { render };
