// Live check of a warning's condition and message as they are typed: the server runs the
// edition's loader on the would-be definition (nothing saved) and its French messages are
// written into the polite live region under each field. The form works without it.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-live-check]");
  if (!form) return;
  const url = form.dataset.liveCheck;
  const results = {};
  form.querySelectorAll("[data-live-result]").forEach((region) => {
    results[region.dataset.liveResult] = region;
  });
  let timer = null;
  let latest = 0;

  const check = async () => {
    const data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    const asked = ++latest;
    let answer;
    try {
      const response = await fetch(`${url}?${new URLSearchParams(data)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      answer = await response.json();
    } catch {
      return; // offline or server gone: the check on saving still applies
    }
    if (asked !== latest) return; // a newer check is on its way
    for (const [name, region] of Object.entries(results)) {
      const problems = answer.fields[name] || [];
      const field = form.elements[name];
      if (!field || (name !== "when" && !field.value.trim())) {
        region.textContent = "";
        continue;
      }
      region.classList.toggle("live-check--error", problems.length > 0);
      region.textContent = problems.length
        ? problems.join(" ")
        : name === "when"
          ? "Condition valide."
          : "Message valide.";
    }
  };

  form.addEventListener("input", (event) => {
    if (!(event.target.name in results)) return;
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
});
