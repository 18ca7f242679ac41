// Follow-up questions (shown only when another answer has a given value) without a page
// reload. Without JavaScript every question is on the form with a hint ("Only if you
// answered …") and the server ignores an answer to a question whose condition is unmet
// (questions/services.py). With it, a follow-up is hidden while its condition is unmet and
// shown the moment it is met, and a polite status region says which questions appeared or
// went (WCAG 4.1.3). Answers typed into a hidden question stay in its inputs, so answering
// back brings them back; the server drops them if the condition is unmet at submit.
(function () {
  "use strict";
  var followUps = Array.prototype.slice.call(
    document.querySelectorAll(".question[data-depends-on]"));
  if (!followUps.length) return;

  function label(question) {
    var legend = question.querySelector("legend, label");
    var text = legend ? legend.cloneNode(true) : null;
    if (!text) return "";
    Array.prototype.forEach.call(text.querySelectorAll(".optional"), function (span) {
      span.remove();
    });
    return text.textContent.trim();
  }

  function met(question) {
    var form = question.closest("form");
    var name = question.getAttribute("data-depends-on");
    var value = question.getAttribute("data-depends-value");
    return Array.prototype.some.call(form.querySelectorAll("input"), function (input) {
      return input.name === name && input.checked && input.value === value;
    });
  }

  // One status region per form, before the first change, so it is announced.
  function statusOf(question) {
    var form = question.closest("form");
    var region = form.querySelector(".questions-status");
    if (!region) {
      region = document.createElement("p");
      region.className = "questions-status";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      form.insertBefore(region, form.firstChild);
    }
    return region;
  }

  function update(announce) {
    var shown = [], hidden = [], region = null;
    followUps.forEach(function (question) {
      var visible = met(question);
      region = statusOf(question);
      if (question.hidden === !visible) return;
      question.hidden = !visible;
      (visible ? shown : hidden).push("“" + label(question) + "”");
    });
    if (!announce || !region || (!shown.length && !hidden.length)) return;
    var parts = [];
    if (shown.length) parts.push((shown.length === 1 ? "A question appeared below: " :
      "Questions appeared below: ") + shown.join(", ") + ".");
    if (hidden.length) parts.push((hidden.length === 1 ? "A question no longer applies: " :
      "Questions no longer apply: ") + hidden.join(", ") + ".");
    region.textContent = parts.join(" ");
  }

  var parents = {};
  followUps.forEach(function (question) {
    parents[question.getAttribute("data-depends-on")] = true;
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.name && parents[target.name]) update(true);
  });
  update(false);
})();
