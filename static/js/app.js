// Progressive enhancement only: every page works without it.
//
// <input type="checkbox" data-select-all="ids">   ticks or clears every checkbox named "ids"
//                                                  in the same form (or the page), and follows them.
// <button data-confirm="Withdraw this enrolment?"> asks before the button submits its form
//                                                  (also on links and on <form data-confirm>).
(function () {
  "use strict";

  function scopeOf(element) {
    return element.form || element.closest("form") || document;
  }

  function boxesFor(master) {
    var name = master.getAttribute("data-select-all");
    return Array.prototype.filter.call(
      scopeOf(master).querySelectorAll('input[type="checkbox"]'),
      function (box) { return box.name === name && box !== master; }
    );
  }

  function syncMaster(master) {
    var boxes = boxesFor(master);
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    master.checked = boxes.length > 0 && ticked === boxes.length;
    master.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  function initSelectAll() {
    var masters = document.querySelectorAll("input[type=checkbox][data-select-all]");
    Array.prototype.forEach.call(masters, function (master) {
      master.addEventListener("change", function () {
        boxesFor(master).forEach(function (box) {
          if (!box.disabled) { box.checked = master.checked; }
        });
      });
      boxesFor(master).forEach(function (box) {
        box.addEventListener("change", function () { syncMaster(master); });
      });
      syncMaster(master);
    });
  }

  function initConfirm() {
    document.addEventListener("click", function (event) {
      var trigger = event.target.closest("button[data-confirm], input[type=submit][data-confirm], a[data-confirm]");
      if (trigger && !window.confirm(trigger.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initSelectAll();
    initConfirm();
  });
})();
