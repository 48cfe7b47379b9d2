import { settings } from "./shared.js";

const form = document.getElementById("form");
const current = await settings();
for (const [key, value] of Object.entries(current)) form.elements[key].value = String(value);
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  await chrome.storage.local.set({
    settings: {
      baseUrl: String(data.get("baseUrl")),
      token: String(data.get("token")),
      pollSeconds: Number(data.get("pollSeconds")) || 300,
    },
  });
  document.getElementById("saved").textContent = "Saved";
});
