// The inbox's bulk form: "select all shown" ticks every row on the page (rows "More" adds
// included), and only the fields the chosen action reads are shown.
(function () {
  "use strict";
  const all = document.getElementById("pick-all");
  const form = document.getElementById("bulk");
  if (!all || !form) return;
  const rows = () => document.querySelectorAll('#rows input[name="pick"]');
  all.addEventListener("change", () => rows().forEach((box) => { box.checked = all.checked; }));
  const chosen = form.querySelector('select[name="do"]');
  const show = () => {
    form.querySelectorAll("[data-for]").forEach((field) => {
      field.hidden = !field.dataset.for.split(" ").includes(chosen.value);
    });
  };
  chosen.addEventListener("change", show);
  show();
})();
