// Renders a result (or an error) into #result; sets `data-state` for tests and scripts.
export function render(result, how) {
  const out = document.querySelector("#result");
  out.replaceChildren();
  const p = document.createElement("p");
  p.id = "summary";
  p.textContent = `${result.count} incoming referrals await a response (${result.seen} read in ${result.pages} pages, ${how})`;
  const table = document.createElement("table");
  table.id = "rows";
  for (const r of result.first) {
    const tr = table.insertRow();
    for (const text of [r.id, r.name, r.customerProfile?.name, r.createdDateTime]) tr.insertCell().textContent = text ?? "";
  }
  out.append(p, table);
  out.dataset.count = String(result.count);
  out.dataset.seen = String(result.seen);
  out.dataset.pages = String(result.pages);
  out.dataset.ids = result.first.map((r) => r.id).join(",");
  out.dataset.state = "done";
}

export function renderError(error) {
  const out = document.querySelector("#result");
  out.textContent = `${error?.name}: ${error?.message} (${error?.code ?? "no code"})`;
  out.dataset.state = "error";
}
