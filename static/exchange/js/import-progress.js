// A large upload's page follows its check or import: every 1.5 s it reads progress.json and updates
// the bar; when the work is over (or looks stalled) it reloads once to show the report.
// Without JavaScript the page shows the progress at load time and a reload refreshes it.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-progress-url]");
  if (!box || box.getAttribute("data-finished") === "true") { return; }
  var bar = box.querySelector("[data-progress-bar]");
  var text = box.querySelector("[data-progress-text]");
  var url = box.getAttribute("data-import-progress-url");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (progress) {
        if (!progress) { return; }
        bar.max = progress.total || 1;
        // Steps in all not known yet (a sheet that declares no size, still being read): a moving bar.
        if (progress.total) { bar.value = progress.done; } else { bar.removeAttribute("value"); }
        bar.textContent = progress.percent + "%";
        text.textContent = progress.summary;  // worded and translated by the server
        if (progress.finished || progress.stalled) { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
}());
