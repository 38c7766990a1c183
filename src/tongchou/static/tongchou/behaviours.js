/* Behaviours the templates ask for with data- attributes. The Content-Security-Policy
 * runs no inline script or onclick=/onchange= handler, so they live here. Listening on
 * the document also covers what htmx swaps in later.
 *
 *   data-print               a click prints the page
 *   data-submit-on-change    a change of this field submits its form
 */
(function () {
  "use strict";

  function closest(event, selector) {
    return event.target instanceof Element ? event.target.closest(selector) : null;
  }

  document.addEventListener("click", function (event) {
    if (closest(event, "[data-print]")) window.print();
  });

  document.addEventListener("change", function (event) {
    const field = closest(event, "[data-submit-on-change]");
    if (field && field.form) field.form.submit();
  });
})();
