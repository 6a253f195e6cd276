// The registration form's small helpers: our own code, no library beyond htmx.
(function () {
  const form = document.getElementById("register-form");
  if (!form) return;
  const category = document.getElementById("category");
  // A category the clerk chose stays; until then it follows the suggestion.
  // ...and the server is told, so that its suggestion stops following the words
  const chosenFlag = form.elements["category_chosen"];
  category.addEventListener("change", () => {
    category.dataset.touched = "1";
    chosenFlag.value = "1";
  });
  if (chosenFlag.value) category.dataset.touched = "1";
  function applySuggestion() {
    const hint = document.getElementById("suggested-category");
    const code = hint ? hint.dataset.code : "";
    if (code && !category.dataset.touched) category.value = code;
  }
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id === "assist") applySuggestion();
  });
  // Earlier complaints: take over the caller's details with one click.
  document.getElementById("assist").addEventListener("click", (event) => {
    const button = event.target.closest(".use-caller");
    if (!button) return;
    for (const key of ["name", "organisation", "email", "address", "phone"]) {
      const input = form.elements["complainant." + key];
      if (input && !input.value) input.value = button.dataset[key] || "";
    }
  });
  // Files by drag and drop onto the zone (the input itself still opens the picker).
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("files");
  const chosen = document.getElementById("chosen");
  function list() { chosen.textContent = Array.from(input.files).map((f) => f.name).join("、"); }
  input.addEventListener("change", list);
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    input.files = event.dataTransfer.files;
    list();
  });
  // Ctrl+Enter (or ⌘+Enter) registers from anywhere in the form.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
})();
