// Pilot form: the "Selecteer hele district" buttons tick (or untick) a district's
// municipalities at once without a round trip. Without JavaScript the button submits
// the form and the server re-renders it with the group ticked (nothing is saved).
(function () {
  "use strict";
  function label(group, allChecked) {
    var button = group.querySelector("[data-district-toggle]");
    var hidden = button.querySelector(".visually-hidden");
    button.firstChild.nodeValue = allChecked ? "Hele district uitvinken" : "Selecteer hele district";
    if (hidden) { button.appendChild(hidden); }
  }
  function boxes(group) {
    return Array.prototype.slice.call(group.querySelectorAll('input[type="checkbox"]'));
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-district-toggle]");
    if (!button) { return; }
    var group = button.closest("[data-district-group]");
    if (!group) { return; }
    event.preventDefault();
    var all = boxes(group);
    var tick = !all.every(function (box) { return box.checked; });
    all.forEach(function (box) { box.checked = tick; });
    label(group, tick);
  });
  document.addEventListener("change", function (event) {
    var group = event.target.closest && event.target.closest("[data-district-group]");
    if (!group || event.target.type !== "checkbox") { return; }
    label(group, boxes(group).every(function (box) { return box.checked; }));
  });
}());
