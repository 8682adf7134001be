// Opening another workspace: the target host's hand-off form submits itself (it is a POST: a GET never signs in).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-handoff]");
  if (form) form.requestSubmit();
});
