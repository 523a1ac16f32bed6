// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen-reader and keyboard users meet it first.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});

// The questionnaire preview is read-only: its form never submits.
document.querySelectorAll("form[data-preview-form]").forEach((form) => {
  form.addEventListener("submit", (event) => event.preventDefault());
});

// A dismissible reminder (the required answers a page left still lacks): hidden on request,
// focus back to the main content so that keyboard users are not left on a vanished button.
document.querySelectorAll("[data-dismissible] [data-dismiss-notice]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => {
    button.closest("[data-dismissible]").hidden = true;
    const main = document.getElementById("contenu");
    if (main) main.focus();
  });
});
