// Small behaviours, loaded as a file so the Content-Security-Policy can forbid inline scripts.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form) form.requestSubmit();
});
