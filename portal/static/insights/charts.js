// Statistics charts: Chart.js (from the django-chartjs package) fed by a json_script block, no inline code.
(() => {
  const palette = ["#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#0dcaf0"];
  const draw = (canvas) => {
    const source = document.getElementById(canvas.dataset.source);
    if (!source || typeof Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    Chart.platform.disableCSSInjection = true; // the stylesheet is linked instead: the CSP forbids injected styles
    const rtl = document.documentElement.dir === "rtl";
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((set, index) => ({
          label: set.label,
          data: set.data,
          fill: false,
          lineTension: 0, // straight segments: a curve would invent values between months
          spanGaps: false, // a suppressed month stays a gap
          borderDash: set.own ? [6, 4] : [],
          borderColor: palette[index % palette.length],
          backgroundColor: palette[index % palette.length],
          pointRadius: 2,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        legend: { position: "bottom", rtl: rtl },
        scales: { xAxes: [{ ticks: { reverse: rtl } }], yAxes: [{ position: rtl ? "right" : "left", ticks: { beginAtZero: true } }] },
      },
    });
  };
  // Offer only the breakdowns the chosen measure has (the server refuses the others with an explanation).
  const limitBreakdowns = (form) => {
    const allowed = JSON.parse(document.getElementById(form.dataset.breakdowns).textContent);
    const measure = form.querySelector("[name=measure]");
    const breakdown = form.querySelector("[name=breakdown]");
    const apply = () => {
      const choices = allowed[measure.value] || [];
      breakdown.querySelectorAll("option").forEach((option) => {
        option.disabled = option.value !== "" && !choices.includes(option.value);
      });
      if (breakdown.selectedOptions[0] && breakdown.selectedOptions[0].disabled) breakdown.value = choices[0] || "";
    };
    measure.addEventListener("change", apply);
    apply();
  };
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("canvas[data-source]").forEach(draw);
    document.querySelectorAll("form[data-breakdowns]").forEach(limitBreakdowns);
  });
})();
