// Import progress bar: the width comes from data-progress (inline styles are forbidden by the CSP).
(() => {
  const paint = (root) => {
    root.querySelectorAll(".progress-bar[data-progress]").forEach((bar) => {
      bar.style.width = `${Number(bar.dataset.progress) || 0}%`;
    });
  };
  document.addEventListener("DOMContentLoaded", () => paint(document));
  document.addEventListener("htmx:afterSwap", (event) => paint(event.target.parentElement || document));
  document.addEventListener("htmx:load", (event) => paint(event.target));
})();
