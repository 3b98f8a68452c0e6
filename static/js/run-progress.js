// Progress of a roll-up run: ask the server every second which section it is on,
// say so, and reload the page when the run finishes (or moves on from the state the
// page was drawn in). Without this script the page's "Refresh" link does the same by hand.

const box = document.querySelector("[data-run-status-url]");

if (box) {
  const url = box.dataset.runStatusUrl;
  const label = box.querySelector("[data-run-progress-label]");
  let failures = 0;

  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const run = await response.json();
      failures = 0;
      if (run.finished || run.status !== box.dataset.runStatus) {
        window.location.reload();
        return;
      }
      if (label && run.section && run.section !== box.dataset.runSection) {
        box.dataset.runSection = run.section;
        label.textContent = `Running: building the section “${run.section_title}”.`;
      }
    } catch {
      failures += 1; // a dropped connection: keep trying for a while, then leave it to the link
      if (failures > 30) return;
    }
    window.setTimeout(poll, 1000);
  };

  window.setTimeout(poll, 1000);
}
