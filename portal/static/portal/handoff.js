// Opening another workspace without signing in again (portal.accounts.handoff). On this host, the link to the
// other host is followed at once; on the other host, its form is submitted (a POST: a GET never signs anyone in).
document.addEventListener("DOMContentLoaded", () => {
  const go = document.querySelector("a[data-handoff-go]");
  if (go) window.location.replace(go.href);
  const form = document.querySelector("form[data-handoff]");
  if (form) form.requestSubmit();
});
