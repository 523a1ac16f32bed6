// Draws the follow-up's charts with Chart.js from the JSON beside them. Progressive
// enhancement: every chart's figures are already in the table that follows it.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  const number = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });

  document.querySelectorAll("figure.followup-chart").forEach((figure) => {
    const source = figure.querySelector('script[type="application/json"]');
    const wrapper = figure.querySelector(".followup-chart__canvas");
    if (!source || !wrapper) return;
    const spec = JSON.parse(source.textContent);
    const line = spec.kind === "line";
    wrapper.hidden = false;
    new Chart(wrapper.querySelector("canvas"), {
      type: line ? "line" : "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((d, index) => ({
          label: d.label,
          data: d.data,
          backgroundColor: d.color,
          borderColor: d.color,
          // Not colour alone: each curve has its own dash and point style.
          borderDash: line ? [[], [6, 3], [2, 2], [10, 4]][index % 4] : undefined,
          pointStyle: ["circle", "rect", "triangle", "rectRot"][index % 4],
        })),
      },
      options: {
        indexAxis: line ? "x" : "y",
        maintainAspectRatio: false,
        animation: false,
        scales: line ? { y: { beginAtZero: true } } : { x: { min: 0, max: 100 } },
        plugins: {
          legend: { display: spec.datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: (ctx) => {
                const value = line ? ctx.parsed.y : ctx.parsed.x;
                const shown = value === null ? "—" : number.format(value);
                return `${ctx.dataset.label} : ${shown}${spec.unit ? " " + spec.unit : ""}`;
              },
            },
          },
        },
      },
    });
  });
});
