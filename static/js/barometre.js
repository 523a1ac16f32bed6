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
