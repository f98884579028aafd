// Progressive enhancement only: every page works without it.
//
// <input type="checkbox" data-select-all="ids">   ticks or clears every checkbox named "ids"
//                                                  in the same form (or the page), and follows them.
// <button data-confirm="Withdraw this enrolment?"> asks before the button submits its form
//                                                  (also on links and on <form data-confirm>).
// <button class="menu-toggle" aria-controls="mainnav"> folds the menu on small screens.
// <table class="table">                            becomes cards on a phone: each cell gets its
//                                                  column's heading as data-label (app.css §13).
// <div class="table-wrap">                         takes the keyboard focus when it scrolls.
// <details data-open-wide>                         is open on screens wider than a phone (a list's
//                                                  filters: folded on a phone until asked for).
(function () {
  "use strict";

  // Before the page is painted, so that a phone never shows the menu open and then folding.
  document.documentElement.classList.add("js");

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

  function initMenu() {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }
    var strip = menu.closest(".navstrip") || menu;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      strip.classList.toggle("open", open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.click();
        button.focus();
      }
    });
  }

  function initTableCards() {
    Array.prototype.forEach.call(document.querySelectorAll("table.table"), function (table) {
      var headings = [];
      var headRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!headRow) { return; }
      Array.prototype.forEach.call(headRow.cells, function (cell) {
        for (var span = 0; span < (cell.colSpan || 1); span += 1) { headings.push(cell.textContent.trim()); }
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (!cell.hasAttribute("data-label") && cell.colSpan === 1) {
              cell.setAttribute("data-label", headings[column] || "");
            }
            column += cell.colSpan || 1;
          });
        });
      });
      table.setAttribute("data-cards", "");
    });
  }

  // A box that scrolls sideways must be reachable by keyboard (WCAG 2.1.1).
  function syncScrollFocus() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (wrap) {
      if (wrap.hasAttribute("data-always-focusable")) {
        return; // its layout changes after load (charts): focusable whether it scrolls or not
      }
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
      } else {
        wrap.removeAttribute("tabindex");
      }
    });
  }

  function initWideDetails() {
    if (!window.matchMedia("(min-width: 36.01rem)").matches) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("details[data-open-wide]"), function (details) {
      details.open = true;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initWideDetails();
    initSelectAll();
    initConfirm();
    initMenu();
    initTableCards();
    syncScrollFocus();
    window.addEventListener("resize", syncScrollFocus);
  });
})();
