// The registrations list without JavaScript works row by row (tick, then an action button).
// With it: a checkbox in the header ticks every row of the page, and a live count says what
// an action will apply to.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) return;
  var pageBox = document.getElementById("select-page");
  var allBox = document.getElementById("select-all-matching");
  var count = document.getElementById("selected-count");
  var rows = Array.prototype.slice.call(form.querySelectorAll('input[name="id"]'));
  var total = allBox ? parseInt(allBox.getAttribute("data-total"), 10) : 0;

  function update() {
    var ticked = rows.filter(function (box) { return box.checked; }).length;
    if (pageBox) {
      pageBox.checked = rows.length > 0 && ticked === rows.length;
      pageBox.indeterminate = ticked > 0 && ticked < rows.length;
    }
    var n = allBox && allBox.checked ? total : ticked;
    count.hidden = n === 0;
    count.textContent = n === 0 ? "" : n + (n === 1 ? " registration selected" : " registrations selected");
  }

  if (pageBox) {
    pageBox.hidden = false;
    pageBox.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = pageBox.checked; });
      update();
    });
  }
  rows.forEach(function (box) {
    box.addEventListener("change", function () {
      // Unticking a row narrows the selection to the ticked rows: "all matching" would
      // otherwise still include the person just left out.
      if (!box.checked && allBox) allBox.checked = false;
      update();
    });
  });
  if (allBox) allBox.addEventListener("change", function () {
    if (allBox.checked) rows.forEach(function (box) { box.checked = true; });
    update();
  });
  update();
})();
