// Drag and drop on the agenda editor's time grid. Dropping an item on a row submits
// the same move form a person could fill in; without JavaScript the Earlier/Later
// buttons and the edit form do the same job (WCAG 2.2, 2.5.7 Dragging Movements).
(function () {
  "use strict";
  // After a move the page comes back at the item (#item-N, which also works without
  // JavaScript); browsers skip autofocus when the address has a fragment, and moving
  // to the fragment resets the focus once the page has loaded, so the control that was
  // used (Earlier, Later, Move to or the menu) is focused after that, ready for the
  // next key press.
  var refocus = document.querySelector("[data-refocus]");
  if (refocus) {
    window.addEventListener("load", function () {
      window.setTimeout(function () { refocus.focus(); }, 0);
    });
  }
  var form = document.getElementById("agenda-move-form");
  if (!form || typeof Sortable === "undefined") {
    return;
  }
  document.documentElement.classList.add("agenda-dnd");
  document.querySelectorAll(".grid-slot").forEach(function (slot) {
    Sortable.create(slot, {
      group: "agenda",
      handle: ".drag-handle",
      draggable: ".agenda-card",
      // Mouse and touch events rather than native drag and drop: same behaviour
      // in every browser, and the drop target is the row under the pointer.
      forceFallback: true,
      fallbackOnBody: true,
      animation: 120,
      onEnd: function (evt) {
        if (evt.from === evt.to) {
          return;
        }
        form.elements.item_id.value = evt.item.dataset.itemId;
        form.elements.day.value = evt.to.dataset.day;
        form.elements.time.value = evt.to.dataset.time;
        form.submit();
      }
    });
  });
})();
