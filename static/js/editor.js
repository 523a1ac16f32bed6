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
