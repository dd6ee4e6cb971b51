// Paged lists: after htmx swapped in another page, keyboard focus stays in the pager.
// htmx puts focus back on an element with the same id; when the link that was used is
// gone (Volgende on the last page, Vorige on the first), focus would fall to the top of
// the document. It goes to the link of the page now shown instead. Without JavaScript
// the pager's links load the whole page, as any link does.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    var active = document.activeElement;
    if (active && active !== document.body) { return; }
    var target = event.detail && event.detail.target;
    var current = target && target.querySelector
      ? target.querySelector(".vnon-pagination [aria-current=page]") : null;
    if (current) { current.focus(); }
  });
})();
