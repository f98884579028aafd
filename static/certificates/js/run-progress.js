// The issuance run page follows its run: every 1.5 s it reads progress.json and updates the bar
// and the counts; when the run finishes (or looks stalled) it reloads once to show the result.
// Without JavaScript the page shows the progress at load time and a reload refreshes it.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || box.getAttribute("data-finished") === "true") { return; }
  var bar = box.querySelector("[data-progress-bar]");
  var text = box.querySelector("[data-progress-text]");
  var rate = box.querySelector("[data-progress-rate]");
  var state = box.querySelector("[data-progress-state]");
  var url = box.getAttribute("data-progress-url");

  function update(progress) {
    bar.max = progress.total;
    bar.value = progress.done;
    bar.textContent = progress.percent + "%";
    text.textContent = progress.summary;  // worded and translated by the server
    rate.textContent = progress.per_second ? progress.per_second + " /s" : "";
    if (state && progress.state) { state.textContent = progress.state; }  // the same words as the issuance page
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (progress) {
        if (!progress) { return; }
        update(progress);
        if (progress.finished || progress.stalled) { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
}());
