// ChoiceGroup's browser side: one question as a <fieldset>, its answers as
// native radio buttons sharing one name. The browser then does the rest:
// a screen reader hears the question and which answer is chosen, Tab stops
// once per question, arrow keys move between its answers.
// Loads nothing from anywhere; every word is set as text, never as HTML.

function uniqueName() {
  // Each widget's module is loaded on its own, so a counter here would repeat;
  // crypto.randomUUID needs https, which a laptop in the room does not have.
  return "rw-choice-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
}

function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function render({ model, el }) {
  const name = uniqueName();
  const fieldset = make("fieldset", "rw-choice");
  const legend = make("legend", "rw-choice-legend");
  const extra = make("p", "rw-choice-extra");
  extra.id = name + "-extra";
  const list = make("div", "rw-choice-options");
  fieldset.append(legend, extra, list);
  el.append(fieldset);
  let inputs = [];

  const showValue = () => {
    const chosen = model.get("value");
    for (const { input, value } of inputs) input.checked = chosen !== null && value === chosen;
  };
  const showWords = () => {
    legend.textContent = model.get("label") || "";
    legend.hidden = !legend.textContent;
    extra.textContent = model.get("description_extra") || "";
    extra.hidden = !extra.textContent;
    if (extra.textContent) fieldset.setAttribute("aria-describedby", extra.id);
    else fieldset.removeAttribute("aria-describedby");
  };
  const showDisabled = () => { fieldset.disabled = Boolean(model.get("disabled")); };

  const build = () => {
    const hints = model.get("hints") || [];
    list.replaceChildren();
    inputs = (model.get("options") || []).map(([label, value], index) => {
      const option = make("label", "rw-choice-option");
      const input = make("input", "rw-choice-input");
      input.type = "radio";
      input.name = name;
      input.value = String(index);  // the real value (an int or text) stays here, exactly as Python sent it
      const tile = make("span", "rw-choice-tile");
      const mark = make("span", "rw-choice-mark", "\u2713");
      mark.setAttribute("aria-hidden", "true");
      tile.append(mark, make("span", "rw-choice-text", String(label)));
      const hint = hints[index];
      if (hint) {
        tile.append(make("span", "rw-choice-hint", " " + hint));  // read out, not shown: the page's legend shows it
        option.title = hint;
      }
      input.addEventListener("change", () => {
        if (!input.checked) return;
        // A message, not save_changes(): ipywidgets holds back a model's second
        // quick update until the kernel answers the first, so after two arrow
        // presses a Save click could overtake the answer. Messages keep their order.
        model.set("value", value);
        model.send({ choose: value });
      });
      option.append(input, tile);
      list.append(option);
      return { input, value };
    });
    showValue();
  };

  const handlers = [
    ["change:options", build], ["change:hints", build], ["change:value", showValue],
    ["change:label", showWords], ["change:description_extra", showWords], ["change:disabled", showDisabled],
  ];
  for (const [event, handler] of handlers) model.on(event, handler);
  showWords();
  showDisabled();
  build();
  return () => { for (const [event, handler] of handlers) model.off(event, handler); };
}

export default { render };
