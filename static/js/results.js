// Draws the results charts with Chart.js. Progressive enhancement: every figure already has
// its data in a table, so without JavaScript nothing is lost. Each chart's box is sized by the
// stylesheet before any script runs (`.results-chart--<size>`), so drawing shifts nothing; a
// chart is drawn only when it comes near the screen, so a long page does not block a phone.
(() => {
  const number = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });
  const withUnit = (value, unit) =>
    value === null || value === undefined ? "masqué" : `${number.format(value)}${unit ? " " + unit : ""}`;

  function draw(figure, index) {
    const source = figure.querySelector('script[type="application/json"]');
    const canvas = figure.querySelector(".results-chart__canvas canvas");
    if (!source || !canvas) return;
    const spec = JSON.parse(source.textContent);
    // Bars lie down on a phone: their labels stay readable.
    const horizontal = spec.labels.length > 6 || spec.stacked || window.innerWidth < 576;
    const valueAxis = {
      stacked: !!spec.stacked,
      title: { display: !!spec.axis, text: spec.axis },
      ticks: { callback: (value) => withUnit(value, spec.unit) },
    };
    const labelAxis = { stacked: !!spec.stacked };
    if (spec.stacked && horizontal) valueAxis.max = 100;
    const chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((d) => ({ label: d.label, data: d.data, backgroundColor: d.color })),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
        plugins: {
          legend: { display: spec.datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: (ctx) => `${ctx.dataset.label} : ${withUnit(horizontal ? ctx.parsed.x : ctx.parsed.y, spec.unit)}`,
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

    figure.dataset.drawn = "true";
    const button = figure.querySelector(".results-chart__download");
    if (!button) return;
    button.classList.remove("results-chart__download--waiting");
    button.addEventListener("click", () => {
      const link = document.createElement("a");
      link.href = chart.toBase64Image("image/png", 1);
      const heading = figure.closest("section")?.querySelector("h2, h3");
      const slug = (heading?.id || `graphique-${index + 1}`).replace(/[^a-z0-9_-]/gi, "-");
      link.download = `${slug}.png`;
      link.click();
    });
  }

  function start() {
    if (typeof Chart === "undefined") return;
    const figures = [...document.querySelectorAll("figure.results-chart")];
    if (!("IntersectionObserver" in window)) {
      figures.forEach(draw);
      return;
    }
    // One chart per task: the page answers input between two charts instead of waiting for
    // all the charts that came into view at once.
    const waiting = [];
    const drawNext = () => {
      const figure = waiting.shift();
      draw(figure, figures.indexOf(figure));
      if (waiting.length) setTimeout(drawNext, 0);
    };
    const observer = new IntersectionObserver((entries) => {
      entries.forEach((entry) => {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        if (waiting.push(entry.target) === 1) setTimeout(drawNext, 0);
      });
    }, { rootMargin: "200px 0px" });
    figures.forEach((figure) => observer.observe(figure));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
