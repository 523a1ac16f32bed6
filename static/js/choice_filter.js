// A search box above a long list of checkboxes ([data-choice-filter]): typing hides the choices
// whose label does not contain the text (accents and case ignored); checked boxes stay visible.
// Without this script the list is simply shown whole.
(() => {
  // As the server's normalise_name: no accents, no case, punctuation as spaces.
  const plain = (text) =>
    text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .trim();

  document.querySelectorAll("[data-choice-filter]").forEach((fieldset, index) => {
    const list = fieldset.querySelector("[data-choice-list]");
    if (!list) return;
    const choices = Array.from(list.querySelectorAll("[data-choice]"));
    const id = `choice-filter-${index}`;
    const wrapper = document.createElement("div");
    wrapper.className = "mb-2";
    const label = document.createElement("label");
    label.className = "form-label small mb-1";
    label.htmlFor = id;
    label.textContent = fieldset.dataset.choiceFilter || "Filtrer la liste";
    const input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.className = "form-control form-control-sm";
    input.autocomplete = "off";
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    wrapper.append(label, input, status);
    list.before(wrapper);

    input.addEventListener("input", () => {
      const wanted = plain(input.value);
      let shown = 0;
      choices.forEach((choice) => {
        const box = choice.querySelector("input");
        const visible = !wanted || box.checked || plain(choice.textContent).includes(wanted);
        choice.hidden = !visible;
        if (visible) shown += 1;
      });
      status.textContent = `${shown} choix affiché${shown > 1 ? "s" : ""}`;
    });
    // Enter in the search box filters, it does not submit the whole form.
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
  });
})();
