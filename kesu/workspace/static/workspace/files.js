// The complaint page's file form: show the chosen photos before they are sent.
"use strict";
document.querySelectorAll('[data-role="upload"]').forEach((form) => {
  const input = form.querySelector('input[type="file"]');
  const box = form.querySelector('[data-role="previews"]');
  input.addEventListener("change", () => {
    box.querySelectorAll("img").forEach((img) => URL.revokeObjectURL(img.src));
    box.replaceChildren();
    for (const file of input.files) {
      const item = document.createElement("figure");
      if (file.type.startsWith("image/")) {
        const img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        item.append(img);
      }
      const caption = document.createElement("figcaption");
      caption.textContent = file.name;
      item.append(caption);
      box.append(item);
    }
  });
});
