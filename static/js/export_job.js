// Export page: follows the job through its JSON status; without JavaScript, the "Actualiser"
// link does it. The bar's width is set here (no inline style: Content-Security-Policy).
document.querySelectorAll("[data-export-width]").forEach((bar) => {
  bar.style.width = `${bar.dataset.exportWidth}%`;
});
(() => {
  const box = document.getElementById("export-state");
  if (!box || box.dataset.finished === "1") return;
  const bar = box.querySelector("[data-export-bar]");
  const poll = async () => {
    let state;
    try {
      const response = await fetch(box.dataset.statusUrl, {headers: {Accept: "application/json"}});
      if (!response.ok) throw new Error(response.status);
      state = await response.json();
    } catch (error) {
      setTimeout(poll, 10000);
      return;
    }
    box.querySelector("[data-export-status]").textContent = state.status_label;
    box.querySelector("[data-export-rows]").textContent = `${state.rows_done} / ${state.rows_total}`;
    bar.setAttribute("aria-valuenow", state.progress);
    bar.firstElementChild.style.width = `${state.progress}%`;
    bar.firstElementChild.textContent = `${state.progress} %`;
    if (state.finished) {
      // The page holds the download, error and restart for a finished job.
      window.location.reload();
      return;
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 1000);
})();
