// The admin's accessibility fixes that need its rendered page (templates/admin/base_site.html loads this file):
// names for the fields that Django's widgets and tabular inlines draw without a <label>.
"use strict";

function nameFromColumn(field) {
  // A field in a table (tabular inline, list_editable, formset) is named by its column's header.
  const cell = field.closest("td");
  const table = field.closest("table");
  if (!cell || !table) return "";
  const header = table.querySelectorAll("thead th")[cell.cellIndex];
  return header ? header.textContent.trim() : "";
}

function nameFromText(field) {
  // A split date and time field: the words before each input ("Date:", "Time:") and the field's own label.
  let text = "";
  for (let node = field.previousSibling; node && node.nodeName !== "INPUT"; node = node.previousSibling) {
    if (node.nodeType === Node.TEXT_NODE) text = node.textContent.trim() + text;
  }
  const row = field.closest(".form-row, .fieldBox");
  const label = row ? row.querySelector("label") : null;
  return [label ? label.textContent.replace(/:$/, "").trim() : "", text.replace(/:$/, "")].filter(Boolean).join(" ");
}

function hasName(field) {
  if (field.getAttribute("aria-label") || field.getAttribute("aria-labelledby")) return true;
  return field.labels && Array.from(field.labels).some((label) => label.textContent.trim());
}

function nameFields(root) {
  for (const field of root.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (hasName(field)) continue;
    const name = field.closest("p.datetime") ? nameFromText(field) : nameFromColumn(field);
    if (name) field.setAttribute("aria-label", name);
  }
  for (const header of root.querySelectorAll("th")) {
    if (header.textContent.trim() || header.querySelector("input")) continue;
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = header.classList.contains("original") ? "—" : "·";
    header.appendChild(hidden);
  }
  // The filter boxes of horizontal selects: an icon with a description, which only an image may carry.
  for (const icon of root.querySelectorAll(".help-tooltip[aria-label]:not([role])")) icon.setAttribute("role", "img");
  nameSelect2(root);
}

function nameSelect2(root) {
  // Select2's boxes (autocomplete fields): named by the field's label.
  for (const box of root.querySelectorAll(".select2-selection[role=combobox]")) {
    const select = box.closest(".related-widget-wrapper, .form-row, td");
    const original = select ? select.querySelector("select") : null;
    const label = original && original.labels && original.labels[0];
    const name = label ? label.textContent.replace(/:$/, "").trim() : original ? nameFromColumn(original) : "";
    if (name) {
      box.setAttribute("aria-label", name);
      box.removeAttribute("aria-labelledby");
      const rendered = box.querySelector(".select2-selection__rendered[role=textbox]");
      if (rendered) rendered.setAttribute("aria-label", name);
    }
  }
}

function nameAll() {
  nameFields(document);
  // django-import-export's "Select all" label points at an id its checkbox does not carry.
  for (const label of document.querySelectorAll("label[for]")) {
    const field = label.previousElementSibling;
    if (!document.getElementById(label.htmlFor) && field && field.name === label.htmlFor) field.id = label.htmlFor;
  }
  // The changelist's search box is labelled by a magnifier icon alone: its word is shown next to it.
  const search = document.querySelector('label[for="searchbar"] img[alt]');
  if (search && search.alt) {
    search.after(" " + search.alt);
    search.alt = "";
  }
}

window.addEventListener("load", nameAll);
// Select2 draws its boxes from a jQuery ready handler (admin/js/autocomplete.js); this one is queued after it.
if (window.django && window.django.jQuery) window.django.jQuery(() => nameSelect2(document));
document.addEventListener("formset:added", (event) => nameFields(event.target));
