// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen-reader and keyboard users meet it first.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
