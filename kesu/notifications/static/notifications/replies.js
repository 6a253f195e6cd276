// Reply templates (常用回复): the picker goes into the action form; picking one fills the text
// that goes to the customer (and, for a note, makes it visible to them, and says so).
"use strict";
document.querySelectorAll('[data-role="reply-picker"]').forEach((picker) => {
  const form = document.querySelector("#act form");
  const select = picker.querySelector("select");
  const text = form && form.querySelector(`textarea[name="${select.dataset.field}"]`);
  if (!text) return;
  form.querySelector(".fields").prepend(picker);
  picker.hidden = false;
  const visibility = form.querySelector('select[name="visibility"]');
  const told = picker.querySelector('[data-role="reply-to-customer"]');
  select.addEventListener("change", () => {
    const option = select.selectedOptions[0];
    if (!option || !option.value) return;
    if (text.value.trim() && text.value !== option.dataset.text && !window.confirm(select.dataset.replace)) {
      select.value = "";
      return;
    }
    text.value = option.dataset.text;
    if (visibility && visibility.value !== "customer") {
      visibility.value = "customer"; // a reply is written to the customer: said, never silent
      told.hidden = false;
    }
    text.focus();
  });
  if (visibility) visibility.addEventListener("change", () => {
    if (visibility.value !== "customer") told.hidden = true;
  });
});
