// Draws the results charts with Chart.js. Progressive enhancement: every figure already has
// its data in a table, so without JavaScript nothing is lost.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  const percent = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });

  document.querySelectorAll("figure.results-chart").forEach((figure, index) => {
    const source = figure.querySelector('script[type="application/json"]');
    const wrapper = figure.querySelector(".results-chart__canvas");
    if (!source || !wrapper) return;
    const spec = JSON.parse(source.textContent);
    const horizontal = spec.labels.length > 6 || spec.stacked;
    wrapper.hidden = false;
    wrapper.style.height = `${Math.max(220, spec.labels.length * (spec.stacked ? 34 : 28) + 80)}px`;
    const canvas = wrapper.querySelector("canvas");
    const chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((d) => ({
          label: d.label,
          data: d.data,
          backgroundColor: d.color,
        })),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: !!spec.stacked, max: spec.stacked && horizontal ? 100 : undefined },
          y: { stacked: !!spec.stacked },
        },
        plugins: {
          legend: { display: spec.datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: (ctx) => {
                const value = horizontal ? ctx.parsed.x : ctx.parsed.y;
                return `${ctx.dataset.label} : ${value === null ? "masqué" : percent.format(value)}${spec.unit ? " " + spec.unit : ""}`;
              },
            },
          },
        },
      },
      plugins: [{
        // A white background, so the downloaded image reads well on slides.
        id: "white-background",
        beforeDraw: (c) => {
          const ctx = c.canvas.getContext("2d");
          ctx.save();
          ctx.globalCompositeOperation = "destination-over";
          ctx.fillStyle = "#fff";
          ctx.fillRect(0, 0, c.width, c.height);
          ctx.restore();
        },
      }],
    });

    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary mt-2";
    button.textContent = "Télécharger l'image";
    button.addEventListener("click", () => {
      const link = document.createElement("a");
      link.href = chart.toBase64Image("image/png", 1);
      const heading = figure.closest("section")?.querySelector("h2, h3");
      const slug = (heading?.id || `graphique-${index + 1}`).replace(/[^a-z0-9_-]/gi, "-");
      link.download = `${slug}.png`;
      link.click();
    });
    wrapper.after(button);
  });
});
