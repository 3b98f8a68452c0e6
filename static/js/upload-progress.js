// Progress of an upload a worker is checking or importing: ask the server every
// second how far it has got, move the bar, and reload the page when it is done.
// Without this script the page's "Refresh the page" link does the same by hand.

const box = document.querySelector("[data-upload-status-url]");

if (box) {
  const url = box.dataset.uploadStatusUrl;
  const bar = box.querySelector("progress");
  const label = box.querySelector("[data-upload-progress-label]");
  const number = new Intl.NumberFormat("en-GB");
  let failures = 0;

  const show = (status) => {
    if (status.status !== "checking" || !bar || !label) return;
    if (status.total_rows === null) {
      label.textContent = "Reading the file";
      return;
    }
    bar.max = Math.max(status.total_rows, 1);
    bar.value = status.processed_rows;
    bar.textContent = `${Math.round((100 * status.processed_rows) / bar.max)}%`;
    label.textContent = `Checked ${number.format(status.processed_rows)} of ${number.format(status.total_rows)} rows`;
  };

  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const status = await response.json();
      failures = 0;
      if (!status.running || status.status !== box.dataset.uploadStatus) {
        window.location.reload();
        return;
      }
      show(status);
    } catch {
      failures += 1; // a dropped connection: keep trying for a while, then leave it to the link
      if (failures > 30) return;
    }
    window.setTimeout(poll, 1000);
  };

  window.setTimeout(poll, 1000);
}
