// The questionnaire page, progressively enhanced: every page also works without JavaScript.
// - conditions: each question (and choice) carries its condition as a JSON tree in
//   data-condition (surveys/conditions.py's Condition.tree); they are evaluated here with the same
//   semantics as surveys/conditions.py, on the page's values plus #filling-values (answers of
//   the other sections and derived variables). The server re-applies them on every save.
// - exclusive choices untick the others; "other" choices show their précisez field;
//   "Ne sait pas" clears its number and the other way round; "Effacer la réponse" unticks a
//   single choice;
// - autosave: a few seconds after the last change, the form is POSTed to data-autosave-url;
//   the answer gives the new version, shown in the polite #autosave-status; an error's French
//   message (JSON `error`) is shown there too, and a failed save is retried.
(() => {
  "use strict";
  const AUTOSAVE_DELAY = 3000;
  const NUMBER = /^-?\d+(\.\d+)?$/;
  const form = document.getElementById("filling-form");
  document.documentElement.classList.add("js");

  const printButton = document.querySelector("[data-print]");
  if (printButton) printButton.addEventListener("click", () => window.print());
  // The evaluator, for the tests that check it agrees with surveys/conditions.py.
  window.barometreConditions = { evaluate: (node, values) => evaluate(node, values) };
  if (!form) return;

  const outside = JSON.parse(document.getElementById("filling-values")?.textContent || "{}");
  const questions = Array.from(form.querySelectorAll(".question[data-name]"));

  // -- values, in the shape the server stores them --
  function asNumber(value) {
    if (typeof value === "number") return value;
    if (typeof value !== "string") return null;
    let text = value.replace(/[\s\u00a0\u202f']/g, "").replace(/€$/, "");
    if (text.includes(",")) text = text.replace(/\./g, "").replace(",", ".");
    return NUMBER.test(text) ? Number(text) : null;
  }
  function isAnswered(value) {
    if (value === null || value === undefined || value === "") return false;
    if (Array.isArray(value)) return value.length > 0;
    if (typeof value === "object") return Object.keys(value).length > 0;
    return true;
  }
  function same(answer, literal) {
    if (typeof answer === "string" && answer === literal) return true;
    const left = asNumber(answer), right = asNumber(literal);
    return left !== null && right !== null && left === right;
  }
  function codesOf(answer) {
    if (Array.isArray(answer)) return answer;
    if (answer && typeof answer === "object") return Object.keys(answer);
    return [answer];
  }

  function valueOf(question) {
    const name = question.dataset.name;
    const type = question.dataset.type;
    const inputs = (selector) => Array.from(question.querySelectorAll(selector));
    if (type === "single") {
      const checked = inputs(`input[name="${name}"]:checked`)[0];
      return checked ? checked.value : null;
    }
    if (type === "multiple") return inputs(`input[name="${name}"]:checked`).map((i) => i.value);
    if (type === "matrix" || type === "ranking") {
      const result = {};
      inputs(`[name^="${name}."]`).forEach((input) => {
        if ((input.type === "radio" && !input.checked) || !input.value) return;
        result[input.name.slice(name.length + 1)] = type === "ranking" ? Number(input.value) : input.value;
      });
      return result;
    }
    const nsp = question.querySelector(`input[name="${name}_nsp"]`);
    if (nsp && nsp.checked) return "nsp";
    const field = question.querySelector(`[name="${name}"]`);
    return field ? field.value.trim() : null;
  }

  // -- conditions --
  function evaluate(node, values) {
    if (!node) return true;
    if (node.or) return node.or.some((part) => evaluate(part, values));
    if (node.and) return node.and.every((part) => evaluate(part, values));
    if (node.not) return !evaluate(node.not, values);
    let answer = values[node.code];
    if (node.key) answer = answer && typeof answer === "object" && !Array.isArray(answer) ? answer[node.key] : null;
    const literals = node.values;
    const answered = isAnswered(answer);
    switch (node.op) {
      case "answered": return answered;
      case "not_answered": return !answered;
      case "=": case "!=": {
        if (!answered) return false;
        const found = Array.isArray(answer) ? answer.some((c) => same(c, literals[0])) : same(answer, literals[0]);
        return node.op === "=" ? found : !found;
      }
      case "in": case "not_in": {
        if (!answered) return false;
        const found = codesOf(answer).some((c) => literals.some((l) => same(c, l)));
        return node.op === "in" ? found : !found;
      }
      case "has":
        return answered && codesOf(answer).some((c) => literals.some((l) => same(c, l)));
      case "has_other_than":
        return answered && codesOf(answer).some((c) => !literals.some((l) => same(c, l)));
      default: {
        const number = asNumber(answer), bound = Number(literals[0]);
        if (number === null) return false;
        return { "<": number < bound, "<=": number <= bound, ">": number > bound, ">=": number >= bound }[node.op];
      }
    }
  }
  const parsed = new WeakMap();
  function conditionOf(element) {
    if (!element.dataset.condition) return null;
    if (!parsed.has(element)) parsed.set(element, JSON.parse(element.dataset.condition));
    return parsed.get(element);
  }

  function applyConditions() {
    // Hidden questions count as unanswered, as the server drops their answers: repeat until stable.
    for (let round = 0; round < 10; round += 1) {
      const top = { ...outside };
      const items = {};
      questions.forEach((q) => {
        if (q.hidden) return;
        const target = q.dataset.item ? (items[q.dataset.item] ||= {}) : top;
        target[q.dataset.code] = valueOf(q);
      });
      let changed = false;
      questions.forEach((q) => {
        const values = q.dataset.item ? { ...top, ...(items[q.dataset.item] || {}) } : top;
        const condition = conditionOf(q);
        if (condition) {
          const hidden = !evaluate(condition, values);
          if (hidden !== q.hidden) { q.hidden = hidden; changed = true; }
        }
        q.querySelectorAll(".choice[data-condition], .ranking-item[data-condition]").forEach((choice) => {
          const hidden = !evaluate(conditionOf(choice), values);
          if (hidden !== choice.hidden) { choice.hidden = hidden; changed = true; }
        });
      });
      if (!changed) return;
    }
  }

  function applyOther(question) {
    const box = question.querySelector(".other-text");
    if (!box) return;
    const shown = Array.from(question.querySelectorAll("input[data-other]")).some((i) => i.checked);
    box.toggleAttribute("data-other-hidden", !shown);
  }

  // Single choice: "Effacer la réponse" unticks the group (shown while one is ticked).
  function radiosOf(button) {
    return Array.from(form.querySelectorAll(`input[type="radio"][name="${button.dataset.clear}"]`));
  }
  function applyClear(question) {
    const button = question.querySelector("button[data-clear]");
    if (!button) return;
    button.hidden = form.hasAttribute("data-readonly") || !radiosOf(button).some((r) => r.checked);
  }
  form.querySelectorAll(".question").forEach(applyClear);
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-clear]");
    if (!button) return;
    const radios = radiosOf(button);
    radios.forEach((radio) => { radio.checked = false; });
    if (!radios.length) return;
    radios[0].focus();  // the button hides: focus stays in the question
    radios[0].dispatchEvent(new Event("change", { bubbles: true }));
  });

  form.addEventListener("change", (event) => {
    const input = event.target;
    const question = input.closest(".question");
    if (question) applyClear(question);
    if (question && input.type === "checkbox" && input.name === question.dataset.name && input.checked) {
      // Exclusive choices: "Aucun" unticks the others, another choice unticks "Aucun".
      question.querySelectorAll(`input[name="${input.name}"]`).forEach((other) => {
        if (other !== input && (input.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive"))) {
          other.checked = false;
        }
      });
    }
    if (input.dataset.nspFor && input.checked) {
      const field = document.getElementById(input.dataset.nspFor);
      if (field) field.value = "";
    }
    if (question) applyOther(question);
    applyConditions();
  });
  form.addEventListener("input", (event) => {
    const input = event.target;
    const nsp = input.id && form.querySelector(`[data-nsp-for="${input.id}"]`);
    if (nsp && input.value.trim()) nsp.checked = false;
  });

  // The questions the agent saw: the server stays on the page if saving reveals others.
  form.addEventListener("submit", () => {
    const shown = form.elements.namedItem("shown");
    if (shown) shown.value = questions.filter((q) => !q.hidden).map((q) => q.dataset.name).join(" ");
  });

  // -- autosave (not on the staff correction page, which has no data-autosave-url) --
  if (form.hasAttribute("data-readonly") || !form.dataset.autosaveUrl) {
    applyConditions();
    questions.forEach(applyOther);
    return;
  }
  const status = document.getElementById("autosave-status");
  const url = form.dataset.autosaveUrl;
  let timer = null;
  let inflight = null;
  let stopped = false;
  let dirty = false;

  // A failed save never touches the fields: what was typed stays on the screen. A server or
  // network failure is retried later (5 s, doubled up to a minute); a refusal (closed wave,
  // ended session, conflict, unreadable page) stops the autosave and says why.
  const RETRY_FIRST = 5000;
  const RETRY_MAX = 60000;
  let retryDelay = 0;

  function say(message, failed = false) {
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("autosave-status--error", failed);
  }
  function retryLater(message) {
    dirty = true;
    retryDelay = retryDelay ? Math.min(retryDelay * 2, RETRY_MAX) : RETRY_FIRST;
    say(`${message} Nouvel essai dans ${Math.round(retryDelay / 1000)} s ; ce que vous avez saisi reste à l'écran.`, true);
    clearTimeout(timer);
    timer = setTimeout(autosave, retryDelay);
  }
  function retryable(response) {
    return response.status >= 500 || response.status === 429 || response.status === 408;
  }

  function autosave({ keepalive = false } = {}) {
    clearTimeout(timer);
    timer = null;
    if (stopped || !dirty) return inflight || Promise.resolve();
    // One request at a time: the next one must carry the version the running one returns.
    if (inflight) return inflight.then(() => autosave({ keepalive }));
    dirty = false;
    const body = new FormData(form);
    body.delete("action");
    const token = body.get("csrfmiddlewaretoken");
    const request = fetch(url, {
      method: "POST",
      body,
      keepalive,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, Accept: "application/json" },
    })
      .then((response) => response.json().catch(() => ({})).then((data) => ({ response, data })))
      .then(({ response, data }) => {
        const message = data.error || data.message;
        if (response.ok && data.ok) {
          retryDelay = 0;
          form.elements.version.value = data.version;
          say(data.message);
        } else if (retryable(response)) {
          retryLater(message || "L'enregistrement automatique a échoué.");
        } else {
          stopped = true;
          if (data.conflict) {
            say(`${message} Rechargez la page pour voir les réponses les plus récentes.`, true);
          } else if (data.session_ended) {
            say(`${message} Vos dernières saisies de cette page ne sont pas enregistrées : notez-les avant de demander un nouveau lien.`, true);
          } else {
            say(message || "L'enregistrement automatique a échoué.", true);
          }
        }
      })
      .catch(() => retryLater("Enregistrement automatique impossible pour l'instant (connexion ?)."))
      .finally(() => { inflight = null; });
    inflight = request;
    return request;
  }

  const unchangedOffer = document.getElementById("rien-na-change");
  function schedule(event) {
    // A reply to the staff next to a question belongs to its own form (form attribute).
    if (event && event.target.form !== form) return;
    dirty = true;
    // The agent changes an answer: « Rien n'a changé depuis l'an dernier » no longer applies
    // (without JavaScript, the server refuses it once the page is saved).
    if (unchangedOffer) unchangedOffer.hidden = true;
    clearTimeout(timer);
    timer = setTimeout(autosave, AUTOSAVE_DELAY);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // Leaving by a link: save first, so that the next page shows (and carries) the newest version.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || !dirty || stopped || event.defaultPrevented || link.target) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    if (link.getAttribute("href").startsWith("#")) return;
    event.preventDefault();
    autosave().finally(() => { window.location.href = link.href; });
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && dirty) autosave({ keepalive: true });
  });

  // A button submission waits for a running autosave, so that it carries the newest version.
  let submitting = false;
  form.addEventListener("submit", (event) => {
    if (submitting) return;
    clearTimeout(timer);
    dirty = false;
    if (!inflight) return;
    event.preventDefault();
    const submitter = event.submitter;
    inflight.finally(() => { submitting = true; form.requestSubmit(submitter); });
  });

  applyConditions();
  questions.forEach(applyOther);
})();
