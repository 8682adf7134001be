// The project board: drag a card to a column, or pick "Move to…" and press Move (keyboard).
// A move that needs a reason or evidence opens the dialog; the server checks every move again and answers with the
// moved card (or the errors: the card then stays where it was). Without this script "Move to…" opens the stage page.
(() => {
  const board = document.querySelector("[data-board]");
  if (!board) return;
  const status = document.getElementById("board-status");
  const errorBox = document.getElementById("board-error");
  const dialog = document.getElementById("board-dialog");
  const dialogForm = dialog.querySelector("[data-dialog-form]");
  const csrf = dialogForm.querySelector("input[name=csrfmiddlewaretoken]").value;
  let dragged = null;
  let pending = null; // { card, stage } while the dialog is open

  const announce = (text) => {
    status.textContent = "";
    window.setTimeout(() => { status.textContent = text; }, 50);
  };
  const showError = (text) => {
    errorBox.textContent = text;
    errorBox.hidden = !text;
    if (text) announce(text);
  };
  const option = (card, stage) => card.querySelector(`select[name=to] option[value="${CSS.escape(stage)}"]`);
  const column = (stage) => board.querySelector(`[data-column="${CSS.escape(stage)}"]`);
  const count = (section, delta) => {
    const badge = section.querySelector("[data-count]");
    badge.textContent = String(Number(badge.textContent) + delta);
  };
  const focusCard = (card) => (card.querySelector("select[name=to]") || card.querySelector("a")).focus();
  const errorText = (body) => (body && body.errors ? body.errors.map((e) => e.detail).join(" ") : board.dataset.failed);

  async function send(card, stage, form) {
    const data = form ? new FormData(form) : new FormData();
    data.set("to_stage", stage);
    data.set("version", card.dataset.version);
    data.set("csrfmiddlewaretoken", csrf);
    const next = card.querySelector("input[name=next]");
    if (next) data.set("next", next.value);
    let response;
    let body = null;
    try {
      response = await fetch(card.dataset.moveUrl, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
      });
      body = await response.json();
    } catch (error) {
      return { ok: false, text: board.dataset.failed };
    }
    if (!response.ok) return { ok: false, text: errorText(body) };
    const from = card.closest("[data-column]");
    const target = column(body.stage);
    const holder = document.createElement("template");
    holder.innerHTML = body.html.trim();
    const moved = holder.content.firstElementChild;
    card.remove();
    target.querySelector(".board-cards").prepend(moved);
    count(from, -1);
    count(target, +1);
    showError("");
    announce(body.message);
    return { ok: true, card: moved };
  }

  async function move(card, stage, { focus = false } = {}) {
    if (stage === card.dataset.stage) return;
    const choice = option(card, stage);
    if (!choice) {
      showError(board.dataset.refused);
      return;
    }
    const needsReason = Boolean(choice.dataset.needsReason);
    const evidence = choice.dataset.needsEvidence || "";
    if (needsReason || evidence) {
      pending = { card, stage, focus };
      dialogForm.reset();
      const reason = dialog.querySelector("textarea[name=reason]");
      const file = dialog.querySelector("input[name=evidence]");
      reason.required = needsReason;
      file.required = Boolean(evidence);
      dialog.querySelector("[data-hint-reason]").hidden = !needsReason;
      const evidenceHint = dialog.querySelector("[data-hint-evidence]");
      evidenceHint.textContent = evidence;
      evidenceHint.hidden = !evidence;
      dialog.querySelector("[data-dialog-errors]").textContent = "";
      dialog.querySelector("[data-dialog-title]").textContent = `${card.dataset.title} → ${choice.textContent}`;
      dialog.showModal();
      (needsReason ? reason : file).focus();
      return;
    }
    const result = await send(card, stage, null);
    if (!result.ok) showError(result.text);
    else if (focus) focusCard(result.card);
  }

  dialogForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!pending) return;
    const { card, stage, focus } = pending;
    const result = await send(card, stage, dialogForm);
    if (!result.ok) {
      dialog.querySelector("[data-dialog-errors]").textContent = result.text;
      announce(result.text);
      return;
    }
    pending = null;
    dialog.close();
    if (focus) focusCard(result.card);
  });
  dialog.querySelector("[data-dialog-cancel]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (pending && pending.focus) pending.card.querySelector("select[name=to]").focus();
    pending = null;
  });

  // Keyboard (and pointer) way: the card's own "Move to…" form.
  board.addEventListener("submit", (event) => {
    const form = event.target.closest("form.board-move");
    if (!form) return;
    event.preventDefault();
    move(form.closest("[data-card]"), form.querySelector("select[name=to]").value, { focus: true });
  });

  // Drag and drop (HTML5): a column accepts a card only when the card may move there.
  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest("[data-card][draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.card);
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    board.querySelectorAll(".is-drop-target").forEach((el) => el.classList.remove("is-drop-target"));
    dragged = null;
  });
  board.addEventListener("dragover", (event) => {
    const section = event.target.closest("[data-column]");
    if (!dragged || !section || section.dataset.column === dragged.dataset.stage) return;
    event.preventDefault(); // the drop is offered; the server decides
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".is-drop-target").forEach((el) => el !== section && el.classList.remove("is-drop-target"));
    section.classList.add("is-drop-target");
  });
  board.addEventListener("drop", (event) => {
    const section = event.target.closest("[data-column]");
    if (!dragged || !section) return;
    event.preventDefault();
    section.classList.remove("is-drop-target");
    move(dragged, section.dataset.column);
  });
})();
