// The questionnaire editor: a condition is checked as it is typed (the server runs the
// definition's loader on the would-be questionnaire); the verdict is read out by a live region.
// Progressive enhancement: without JavaScript the check happens when the form is saved.
const CHECK_DELAY_MS = 400;

document.querySelectorAll("[data-condition-check]").forEach((box) => {
  const input = box.querySelector("input, textarea");
  const status = box.querySelector("[data-condition-status]");
  if (!input || !status) return;
  let timer = null;
  let checked = input.value.trim();

  const check = async () => {
    const value = input.value.trim();
    if (value === checked) return;
    checked = value;
    if (!value) {
      status.textContent = "";
      status.classList.remove("condition-check--error");
      return;
    }
    const url = new URL(box.dataset.conditionCheck, window.location.href);
    url.searchParams.set("condition", value);
    try {
      const answer = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const verdict = await answer.json();
      if (input.value.trim() !== value) return; // typed on since: a newer check follows
      status.textContent = verdict.ok
        ? "Condition valable."
        : verdict.messages.join(" ");
      status.classList.toggle("condition-check--error", !verdict.ok);
    } catch {
      status.textContent = "";
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, CHECK_DELAY_MS);
  });
});

// The question's form shows the fieldsets of its type only (numbers, ranking, roster, choices,
// matrix rows), and any fieldset that holds an error; without JavaScript every fieldset shows.
const typeSelect = document.querySelector("select[name='question-type']");
if (typeSelect) {
  const parts = document.querySelectorAll("[data-for-types]");
  const showParts = () => {
    parts.forEach((part) => {
      const types = part.dataset.forTypes.split(" ");
      const hasError = part.querySelector(".field-error, .field--error") !== null;
      part.hidden = !types.includes(typeSelect.value) && !hasError;
    });
  };
  typeSelect.addEventListener("change", showParts);
  showParts();
}

// Drag and drop of sections and questions with the mouse (SortableJS, served by the app); the
// "Monter" / "Descendre" buttons stay the keyboard's way. The new order is saved at once and
// checked like any change; the page then reloads to show it as saved.
const orderStatus = document.getElementById("editor-order-status");
if (orderStatus && window.Sortable) {
  const token = document.querySelector("[name=csrfmiddlewaretoken]");
  const saveOrder = async (list) => {
    const body = new FormData();
    body.append("liste", list.dataset.sortableList);
    list.querySelectorAll(":scope > [data-code]").forEach((item) => {
      body.append("ordre", item.dataset.code);
    });
    orderStatus.textContent = "Enregistrement du nouvel ordre…";
    try {
      const answer = await fetch(orderStatus.dataset.orderUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
      });
      const verdict = await answer.json();
      if (verdict.ok) {
        window.location.reload();
        return;
      }
      orderStatus.textContent = `Ordre non enregistré : ${verdict.messages.join(" ")}`;
    } catch {
      orderStatus.textContent = "Ordre non enregistré : le serveur n'a pas répondu. Rechargez la page.";
    }
    orderStatus.classList.add("condition-check--error");
  };
  document.querySelectorAll("[data-sortable-key]").forEach((list) => {
    window.Sortable.create(list, {
      handle: `[data-handle="${CSS.escape(list.dataset.sortableKey)}"]`,
      draggable: "[data-code]",
      animation: 150,
      onEnd: (event) => {
        if (event.oldIndex !== event.newIndex) saveOrder(list);
      },
    });
  });
}
